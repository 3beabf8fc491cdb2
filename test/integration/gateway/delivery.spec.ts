import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { TestMesh, waitFor } from '../helpers/test-mesh.ts'

describe('local delivery and time-to-live', () => {
  let mesh: TestMesh
  before(async () => {
    mesh = await TestMesh.create({
      nodes: ['alpha', 'bravo'],
      links: [['alpha', 'bravo']],
      gateway: { retry: { initial: '100ms', max: '500ms' } },
    })
    await mesh.startAll()
  })
  after(() => mesh.close())

  test('a service answering 500 for a while gets every message once it recovers', async () => {
    mesh.service.failWith = 500
    const ids: string[] = []
    for (let i = 0; i < 20; i++) ids.push((await mesh.send('alpha', 'bravo', `retry ${i}`)).body.id)
    await new Promise((r) => setTimeout(r, 2000))
    assert.equal(mesh.service.counts('bravo').size, 0, 'nothing recorded while failing')
    const waiting = await mesh.api('alpha', `/v1/messages/${ids[0]}`)
    assert.notEqual(waiting.body.status, 'delivered')
    mesh.service.failWith = undefined
    const done = await waitFor(
      () => ids.every((id) => mesh.service.counts('bravo').has(id)),
      20_000,
    )
    assert.ok(done, 'messages not delivered after the service recovered')
    for (const id of ids) assert.equal(mesh.service.counts('bravo').get(id), 1)
  })

  test('a message whose time-to-live passes while the neighbour is down is reported expired', async () => {
    await mesh.gateway('bravo').stop()
    const res = await mesh.send('alpha', 'bravo', 'too late', { ttl: '2s' })
    assert.equal(res.status, 202)
    const expired = await waitFor(async () => {
      const s = await mesh.api('alpha', `/v1/messages/${res.body.id}`)
      return s.body.status === 'expired'
    }, 10_000)
    assert.ok(expired, 'status did not become expired')
    await mesh.gateway('bravo').start()
    await new Promise((r) => setTimeout(r, 1500))
    assert.equal(mesh.service.counts('bravo').has(res.body.id), false, 'expired message delivered')
  })
})
