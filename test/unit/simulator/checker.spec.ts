import assert from 'node:assert/strict'
import { before, describe, test } from 'node:test'
import fc from 'fast-check'
import { check } from '../../../simulator/checker/checker.ts'
import type { History, SendRecord } from '../../../simulator/checker/types.ts'
import type { Scenario } from '../../../simulator/scenario/types.ts'
import { loadYaml, SQUARE, scenarioDir } from './fixtures.ts'

const dir = scenarioDir()

/** Ring a-b-c-d-a, flow a->c. The 5 s cut leaves a path (via d); the 12 s cable cut does not. */
const FAULTS = `faults:
  - { at: 5s, cut: { link: a-b } }
  - { at: 10s, restore: { link: a-b } }
  - { at: 12s, cut: { cable: middle } }
  - { at: 14s, restore: { cable: middle } }
  - { at: 16s, powerLoss: { node: d, for: 3s } }
expect: { failoverWithin: 300ms, drainedWithin: 2s }
`

let scenario: Scenario
before(async () => {
  scenario = await loadYaml(dir, SQUARE + FAULTS)
})

function send(id: string, at: number, extra: Partial<SendRecord> = {}): SendRecord {
  return { flow: 0, from: 'a', to: 'c', seq: at, at, outcome: 'accepted', id, ...extra }
}

function history(parts: Partial<History>): History {
  return {
    sends: [],
    deliveries: [],
    statuses: new Map(),
    powerLosses: [],
    faultsApplied: [],
    samples: [],
    endedAt: 30_000,
    ...parts,
  }
}

const at = (id: string, time: number, node = 'c', bodyOk = true) => ({ node, id, at: time, bodyOk })

/** A drill where something of every kind went wrong. */
function troubledHistory(): History {
  return history({
    sends: [
      send('m1', 1000),
      send('m2', 2000),
      send('m3', 3000),
      send('m4', 3100, { expiresAt: 8000 }),
      send('m5', 3200, { expiresAt: 50_000 }),
      { flow: 0, from: 'a', to: 'c', seq: 4, at: 4000, outcome: 'refused', code: 'STORE_FULL' },
      send('m6', 5100),
      send('m7', 5200),
      send('m8', 6000),
    ],
    deliveries: [
      at('m1', 1010),
      at('m2', 2020),
      at('m2', 2500),
      at('ghost', 4000),
      at('m7', 5400),
      at('m6', 5900),
      at('m8', 6100, 'c', false),
    ],
    statuses: new Map([
      ['m3', 'queued'],
      ['m4', 'expired'],
      ['m5', 'expired'],
    ]),
    faultsApplied: [
      { at: 5050, kind: 'cut', target: 'faults[0] cut link:a-b' },
      { at: 12_010, kind: 'cut', target: 'faults[2] cut cable:middle' },
    ],
    powerLosses: [{ node: 'd', killedAt: 16_000, restartedAt: 19_000, drainedAt: 21_500 }],
  })
}

describe('checker', () => {
  test('classifies lost, duplicated, unexpected and expired messages', () => {
    const result = check(troubledHistory(), scenario)
    assert.deepEqual(result.messages, {
      sent: 9,
      accepted: 8,
      delivered: 4,
      lost: 3,
      duplicated: 1,
      redeliveredAfterCrash: 0,
      unexpected: 2,
      expired: 1,
    })
    assert.deepEqual(result.ids.lost.sort(), ['m3', 'm5', 'm8'])
    assert.deepEqual(result.ids.duplicated, ['m2'])
    assert.deepEqual(result.ids.unexpected.sort(), ['ghost', 'm8'])
    assert.deepEqual(result.ids.expired, ['m4'])
  })

  test('a repeat across a crash of the destination gateway is a redelivery, not a duplicate', () => {
    const history = troubledHistory()
    const repeats = history.deliveries.filter((d) => d.id === 'm2').map((d) => d.at)
    const [first, second] = repeats.sort((a, b) => a - b)
    const to = history.sends.find((s) => s.id === 'm2')!.to
    const crash = { node: to, killedAt: (first! + second!) / 2, restartedAt: second! - 1 }
    const excused = check({ ...history, powerLosses: [...history.powerLosses, crash] }, scenario)
    assert.equal(excused.messages.duplicated, 0)
    assert.equal(excused.messages.redeliveredAfterCrash, 1)
    const otherNode = { ...crash, node: `${to}-elsewhere` }
    const notExcused = check({ ...history, powerLosses: [otherNode] }, scenario)
    assert.equal(notExcused.messages.duplicated, 1, 'a crash of another gateway excuses nothing')
  })

  test('latency percentiles are nearest-rank over first deliveries, in seconds', () => {
    const result = check(troubledHistory(), scenario)
    // Latencies: m1 10 ms, m2 20 ms, m7 200 ms, m6 800 ms.
    assert.deepEqual(result.latencySeconds, { p50: 0.02, p95: 0.8, p99: 0.8, max: 0.8 })
  })

  test('failover is measured from the applied cut to the first delivery of a later message', () => {
    const result = check(troubledHistory(), scenario)
    assert.deepEqual(result.failovers, [
      { at: 5.05, target: 'faults[0] cut link:a-b', seconds: 0.35 },
    ])
    assert.deepEqual(result.recoveries, [{ node: 'd', restartedAt: 19, seconds: 2.5 }])
  })

  test('a backlog still moving after a cut counts as traffic flowing again', () => {
    const backlog = history({
      sends: [send('prior', 3000), send('old', 4000), send('new', 5100)],
      deliveries: [at('prior', 3010), at('old', 5150), at('new', 7000)],
      faultsApplied: [{ at: 5050, kind: 'cut', target: 'faults[0] cut link:a-b' }],
    })
    const [failover] = check(backlog, scenario).failovers
    assert.equal(failover?.seconds, 0.1, 'the old message delivered 100 ms after the cut')
    const stalled = history({
      sends: [send('old', 4000), send('new', 5100)],
      deliveries: [at('old', 4500), at('new', 7000)],
      faultsApplied: [{ at: 5050, kind: 'cut', target: 'faults[0] cut link:a-b' }],
    })
    assert.equal(check(stalled, scenario).failovers[0]?.seconds, 1.95, 'nothing moved until 7 s')
    const alreadyStalled = history({
      sends: [send('ancient', 0), send('new', 5100)],
      deliveries: [at('ancient', 10), at('new', 9000)],
      faultsApplied: [{ at: 5050, kind: 'cut', target: 'faults[0] cut link:a-b' }],
    })
    assert.deepEqual(
      check(alreadyStalled, scenario).failovers,
      [],
      'a flow stalled for 5 s before the cut was not interrupted by it',
    )
  })

  test('each expectation violated becomes one failure and the verdict fails', () => {
    const { verdict } = check(troubledHistory(), scenario)
    assert.equal(verdict.passed, false)
    assert.equal(verdict.failures.length, 6)
    assert.match(verdict.failures[0]!, /^3 messages lost, expected at most 0 \(m3, m5, m8\)$/)
    assert.match(verdict.failures[1]!, /^1 message delivered more than once.*\(m2\)/)
    assert.match(verdict.failures[2]!, /^2 messages delivered unexpectedly/)
    assert.match(verdict.failures[3]!, /^1 send was refused \(1 STORE_FULL\)$/)
    assert.match(
      verdict.failures[4]!,
      /failover after faults\[0\] cut link:a-b at 5.05s took 0.35s, expected within 0.3s/,
    )
    assert.match(
      verdict.failures[5]!,
      /^d drained its backlog 2.5s after its restart at 19s, expected within 2s$/,
    )
  })

  test('a clean drill passes', () => {
    const clean = history({
      sends: [send('m1', 1000), send('m6', 5100)],
      deliveries: [at('m1', 1010), at('m6', 5200)],
      powerLosses: [{ node: 'd', killedAt: 16_000, restartedAt: 19_000, drainedAt: 19_400 }],
    })
    const result = check(clean, scenario)
    assert.deepEqual(result.verdict, { passed: true, failures: [] })
    // Without an applied record the scripted time counts: 5.2 - 5.0.
    assert.deepEqual(
      result.failovers.map((f) => f.seconds),
      [0.2],
    )
  })

  test('a cut after which nothing is delivered again fails as never recovered', () => {
    const stuck = history({
      sends: [send('m1', 1000), send('m6', 5100), send('m7', 5300)],
      deliveries: [at('m1', 1010)],
      powerLosses: [{ node: 'd', killedAt: 16_000, restartedAt: 19_000 }],
    })
    const result = check(stuck, scenario)
    assert.equal(result.failovers[0]?.seconds, null)
    assert.equal(result.recoveries[0]?.seconds, null)
    assert.ok(
      result.verdict.failures.some((f) => f.startsWith('no traffic flowed again after faults[0]')),
    )
    assert.ok(result.verdict.failures.some((f) => f.startsWith('d never drained its backlog')))
    assert.equal(result.messages.lost, 2)
  })

  test('every accepted message is exactly one of delivered, lost or expired', () => {
    const ids = ['m0', 'm1', 'm2', 'm3', 'm4', 'm5']
    const arbitrary = fc.record({
      sends: fc.uniqueArray(
        fc.record({ id: fc.constantFrom(...ids), at: fc.nat(20_000), ttl: fc.nat(40_000) }),
        {
          selector: (s) => s.id,
        },
      ),
      deliveries: fc.array(
        fc.record({ id: fc.constantFrom(...ids, 'x'), at: fc.nat(30_000), ok: fc.boolean() }),
      ),
      expired: fc.subarray(ids),
    })
    fc.assert(
      fc.property(arbitrary, (gen) => {
        const h = history({
          sends: gen.sends.map((s) => send(s.id, s.at, { expiresAt: s.at + s.ttl })),
          deliveries: gen.deliveries.map((d) => at(d.id, d.at, 'c', d.ok)),
          statuses: new Map(gen.expired.map((id) => [id, 'expired'])),
        })
        const { messages } = check(h, scenario)
        assert.equal(messages.delivered + messages.lost + messages.expired, messages.accepted)
        assert.ok(messages.duplicated <= messages.delivered)
        const okIds = new Set(gen.deliveries.filter((d) => d.ok && d.id !== 'x').map((d) => d.id))
        const sentIds = new Set(gen.sends.map((s) => s.id))
        assert.equal(messages.delivered, [...okIds].filter((id) => sentIds.has(id)).length)
      }),
      { numRuns: 200 },
    )
  })
})
