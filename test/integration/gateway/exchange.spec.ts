import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { TestMesh, waitFor } from '../helpers/test-mesh.ts'

/** Submits `count` messages from `from` to `to`, `concurrency` at a time; returns accepted ids. */
async function burst(mesh: TestMesh, from: string, to: string, count: number, concurrency = 32) {
  const accepted: string[] = []
  const refused: number[] = []
  let next = 0
  const worker = async () => {
    while (next < count) {
      const n = next++
      try {
        const res = await mesh.send(from, to, `message ${n}`)
        if (res.status === 202) accepted.push(res.body.id as string)
        else refused.push(res.status)
      } catch {
        refused.push(0)
      }
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
  return { accepted, refused }
}

describe('two gateways as separate processes', () => {
  let mesh: TestMesh
  before(async () => {
    mesh = await TestMesh.create({ nodes: ['alpha', 'bravo'], links: [['alpha', 'bravo']] })
    await mesh.startAll()
  })
  after(() => mesh.close())

  test('exchange 2,000 messages: each delivered once and each receipt back at the sender', async () => {
    const { accepted, refused } = await burst(mesh, 'alpha', 'bravo', 2000)
    assert.equal(refused.length, 0, `refused: ${refused.slice(0, 5)}`)
    assert.equal(accepted.length, 2000)
    const arrived = await waitFor(() => mesh.service.counts('bravo').size >= 2000, 60_000)
    assert.ok(arrived, `only ${mesh.service.counts('bravo').size} of 2000 delivered`)
    const counts = mesh.service.counts('bravo')
    for (const id of accepted)
      assert.equal(counts.get(id), 1, `${id} delivered ${counts.get(id)} times`)
    assert.equal(counts.size, 2000, 'no delivery of a message that was never accepted')
    const receipted = await waitFor(async () => {
      const last = await mesh.api('alpha', `/v1/messages/${accepted.at(-1)}`)
      return last.body.status === 'delivered'
    }, 30_000)
    assert.ok(receipted, 'last receipt did not reach the sender')
    for (const id of accepted.slice(0, 50)) {
      const status = await mesh.api('alpha', `/v1/messages/${id}`)
      assert.equal(status.body.status, 'delivered')
      assert.equal(status.body.receipt.outcome, 'delivered')
      assert.ok(status.body.receipt.envelope.length > 100, 'receipt carries the signed envelope')
    }
  })

  test('a synchronous call returns the service answer as the reply', async () => {
    const res = await mesh.api('alpha', '/v1/calls', {
      to: 'bravo',
      service: 'inbox',
      text: 'ping',
      deadline: '10s',
    })
    assert.equal(res.status, 200, JSON.stringify(res.body))
    assert.equal(Buffer.from(res.body.reply.body, 'base64').toString(), 'echo:ping')
    assert.equal(res.body.reply.status, 200)
  })
})
