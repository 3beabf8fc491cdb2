import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { TestMesh, waitFor } from '../helpers/test-mesh.ts'

/**
 * A square a-b-c / a-d-c where a-d-c is slow, so a sends to c through b. When
 * b-c goes silent, messages already at b find no way on that avoids a, which
 * they visited: they must back out through a and take a-d-c, not wait at b
 * until the cut heals.
 */
describe('a message at a dead end backs out', () => {
  let mesh: TestMesh
  before(async () => {
    mesh = await TestMesh.create({
      nodes: ['a', 'b', 'c', 'd'],
      links: [
        ['a', 'b'],
        ['b', 'c'],
        ['a', 'd', 30],
        ['d', 'c', 30],
      ],
    })
    await mesh.startAll()
    const viaB = await waitFor(async () => {
      const routes = await mesh.api('a', '/v1/routes')
      const entry = routes.body.destinations?.find(
        (x: { destination: string }) => x.destination === 'c',
      )
      return entry?.nextHops?.[0] === 'b' && entry.paths.length === 2
    }, 20_000)
    assert.ok(viaB, 'a never routed to c through b with a second path through d')
  })
  after(() => mesh.close())

  test('messages stranded at a relay by a cut are delivered while the cut lasts', async () => {
    mesh.proxy('b-c').cut({ mode: 'blackhole', direction: 'both' })
    const ids: string[] = []
    for (let i = 0; i < 20; i++) {
      const res = await mesh.send('a', 'c', `stranded ${i}`)
      assert.equal(res.status, 202)
      ids.push(res.body.id)
      await new Promise((r) => setTimeout(r, 20))
    }
    const atB = (await mesh.api('b', '/v1/queues')).body.outbound.messages as number
    const delivered = await waitFor(
      () => ids.every((id) => mesh.service.counts('c').has(id)),
      20_000,
    )
    const missing = ids.filter((id) => !mesh.service.counts('c').has(id)).length
    assert.ok(delivered, `${missing} messages still stranded (b held ${atB} right after sending)`)
    for (const id of ids) assert.equal(mesh.service.counts('c').get(id), 1, 'delivered twice')
    assert.equal(mesh.proxy('b-c').cutState?.mode, 'blackhole', 'the cut was still in place')
    mesh.proxy('b-c').restore()
  })
})
