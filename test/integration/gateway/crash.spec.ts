import assert from 'node:assert/strict'
import { after, afterEach, beforeEach, describe, test } from 'node:test'
import { TestMesh, waitFor } from '../helpers/test-mesh.ts'

/**
 * Keeps submitting until stopped; records every id that got 202. Connection
 * errors while the sender itself is down are expected and simply retried later.
 */
function submitter(mesh: TestMesh, from: string, to: string) {
  const accepted: string[] = []
  let stopped = false
  let n = 0
  const loop = async () => {
    while (!stopped) {
      try {
        const res = await mesh.send(from, to, `crash test ${n++}`)
        if (res.status === 202) accepted.push(res.body.id as string)
      } catch {
        await new Promise((r) => setTimeout(r, 50))
      }
    }
  }
  const workers = Promise.all(Array.from({ length: 8 }, loop))
  return {
    accepted,
    stop: async () => {
      stopped = true
      await workers
    },
  }
}

/**
 * Every accepted message arrived; none twice, except the one case the design
 * allows: the destination gateway crashed after its service answered but before
 * it recorded the delivery, so the re-delivery (same id) follows the crash.
 */
async function assertExactlyOnce(
  mesh: TestMesh,
  node: string,
  accepted: string[],
  crash?: { killedAt: number; restartedAt: number },
) {
  const all = await waitFor(() => {
    const counts = mesh.service.counts(node)
    return accepted.every((id) => counts.has(id))
  }, 60_000)
  const counts = mesh.service.counts(node)
  const missing = accepted.filter((id) => !counts.has(id))
  assert.ok(all, `${missing.length} of ${accepted.length} accepted messages lost`)
  const twice = accepted.filter((id) => (counts.get(id) ?? 0) > 1)
  const unexcused = twice.filter((id) => {
    const times = mesh.service.arrivals.filter((a) => a.id === id).map((a) => a.at)
    if (crash === undefined || times.length !== 2) return true
    return !(times[0]! <= crash.killedAt && times[1]! >= crash.restartedAt)
  })
  assert.deepEqual(unexcused, [], 'messages delivered more than once')
  // Only deliveries in progress at the instant of the crash can be repeated.
  assert.ok(twice.length <= 32, `${twice.length} re-deliveries exceed the delivery concurrency`)
}

describe('power loss mid-burst', () => {
  let mesh: TestMesh
  beforeEach(async () => {
    mesh = await TestMesh.create({ nodes: ['alpha', 'bravo'], links: [['alpha', 'bravo']] })
    await mesh.startAll()
  })
  afterEach(() => mesh.close())
  after(() => {})

  test('the receiving gateway killed with SIGKILL and restarted: every accepted message delivered once', async () => {
    const load = submitter(mesh, 'alpha', 'bravo')
    await waitFor(() => mesh.service.arrivals.length > 200, 30_000)
    await mesh.gateway('bravo').powerLoss()
    const killedAt = Date.now()
    await new Promise((r) => setTimeout(r, 1000))
    const restartedAt = Date.now()
    await mesh.gateway('bravo').start()
    await new Promise((r) => setTimeout(r, 1000))
    await load.stop()
    assert.ok(load.accepted.length > 300, `only ${load.accepted.length} accepted`)
    await assertExactlyOnce(mesh, 'bravo', load.accepted, { killedAt, restartedAt })
  })

  test('the sending gateway killed with SIGKILL and restarted: nothing that got 202 is lost', async () => {
    const load = submitter(mesh, 'alpha', 'bravo')
    await waitFor(() => load.accepted.length > 300, 30_000)
    await mesh.gateway('alpha').powerLoss()
    await load.stop()
    const acceptedBeforeCrash = [...load.accepted]
    await mesh.gateway('alpha').start()
    await assertExactlyOnce(mesh, 'bravo', acceptedBeforeCrash)
  })
})
