import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import fc from 'fast-check'
import { expandChaos } from '../../../simulator/scenario/chaos.ts'
import type { DrillLink, DrillNode, FaultAction } from '../../../simulator/scenario/types.ts'
import { loadYaml, SQUARE, scenarioDir } from './fixtures.ts'

const dir = scenarioDir()
const withFaults = (faults: string) => `${SQUARE}faults:\n${faults}\n`
const links = (a: FaultAction) => ('links' in a ? a.links : [])

describe('fault timeline', () => {
  test('a partition cuts every link between its groups and heals after its duration', async () => {
    const s = await loadYaml(
      dir,
      withFaults('  - { at: 5s, partition: { groups: [[west], [c, d]], for: 4s } }'),
    )
    assert.deepEqual(
      s.timeline.map((a) => [a.at, a.kind, links(a)]),
      [
        [5000, 'cut', ['b-c', 'closing']],
        [9000, 'restore', ['b-c', 'closing']],
      ],
    )
    assert.deepEqual(s.faults, [
      { atSeconds: 5, kind: 'partition', target: 'west | c,d', forSeconds: 4 },
    ])
  })

  test('nodes in no partition group keep all their links', async () => {
    const s = await loadYaml(
      dir,
      withFaults('  - { at: 5s, partition: { groups: [[a], [b]], for: 1s } }'),
    )
    assert.equal(s.timeline[0]?.kind, 'cut')
    assert.deepEqual(links(s.timeline[0]!), ['a-b'])
  })

  test('a flap alternates cut and restore until its end, ending restored', async () => {
    const s = await loadYaml(
      dir,
      withFaults('  - { at: 10s, flap: { link: c-d, down: 1s, up: 2s, until: 17s, mode: reset } }'),
    )
    assert.deepEqual(
      s.timeline.map((a) => [a.at, a.kind]),
      [
        [10_000, 'cut'],
        [11_000, 'restore'],
        [13_000, 'cut'],
        [14_000, 'restore'],
        [16_000, 'cut'],
        [17_000, 'restore'],
      ],
    )
    assert.ok(s.timeline.every((a) => a.kind !== 'cut' || a.mode === 'reset'))
    assert.deepEqual(s.faults, [{ atSeconds: 10, kind: 'flap', target: 'link:c-d', forSeconds: 7 }])
  })

  test('a cut with a duration restores itself; a one-way cut keeps its direction', async () => {
    const s = await loadYaml(
      dir,
      withFaults('  - { at: 3s, cut: { cable: middle, direction: a-to-b, mode: reset, for: 2s } }'),
    )
    const [cut, restore] = s.timeline
    assert.ok(cut?.kind === 'cut')
    assert.deepEqual([cut.links, cut.direction, cut.mode], [['b-c', 'closing'], 'a-to-b', 'reset'])
    assert.deepEqual(
      [restore?.at, restore?.kind, links(restore!)],
      [5000, 'restore', ['b-c', 'closing']],
    )
  })

  test('actions are sorted by time, same-time actions in file order', async () => {
    const s = await loadYaml(
      dir,
      withFaults(
        [
          '  - { at: 9s, restore: { link: a-b } }',
          '  - { at: 2s, cut: { link: a-b } }',
          '  - { at: 9s, powerLoss: { node: d, for: 1s } }',
        ].join('\n'),
      ),
    )
    assert.deepEqual(
      s.timeline.map((a) => [a.at, a.kind]),
      [
        [2000, 'cut'],
        [9000, 'restore'],
        [9000, 'powerLoss'],
      ],
    )
  })
})

describe('chaos', () => {
  const chaos = (seed: number) =>
    `  - { chaos: { seed: ${seed}, from: 2s, until: 28s, meanInterval: 2s } }`

  test('the same seed gives the same timeline and another seed a different one', async () => {
    const first = await loadYaml(dir, withFaults(chaos(42)))
    const again = await loadYaml(dir, withFaults(chaos(42)))
    const other = await loadYaml(dir, withFaults(chaos(43)))
    assert.ok(first.timeline.length >= 4, `only ${first.timeline.length} actions`)
    assert.deepEqual(again.timeline, first.timeline)
    assert.deepEqual(again.faults, first.faults)
    assert.notDeepEqual(other.timeline, first.timeline)
  })

  test('without its own seed chaos follows the scenario seed', async () => {
    const entry = '  - { chaos: { from: 2s, until: 28s, meanInterval: 2s } }'
    const a = await loadYaml(dir, withFaults(entry))
    const b = await loadYaml(dir, withFaults(entry).replace('seed: 3', 'seed: 4'))
    assert.notDeepEqual(a.timeline, b.timeline)
  })

  const nodes: DrillNode[] = ['a', 'b', 'c', 'd'].map((id) => ({ id }))
  const drillLinks: DrillLink[] = ['a-b', 'b-c', 'c-d'].map((id) => {
    const [a, b] = id.split('-') as [string, string]
    return { id, a, b, latencyMs: 1, jitterMs: 0, lossRatio: 0, cables: [] }
  })

  test('random faults stay in their window, are all undone and never overlap a target', () => {
    fc.assert(
      fc.property(
        fc.nat(),
        fc.integer({ min: 0, max: 20_000 }),
        fc.integer({ min: 1000, max: 40_000 }),
        fc.integer({ min: 200, max: 5000 }),
        (seed, fromMs, span, meanIntervalMs) => {
          const untilMs = fromMs + span
          const spec = {
            seed,
            fromMs,
            untilMs,
            meanIntervalMs,
            meanForMs: meanIntervalMs * 2,
            kinds: ['cut', 'powerLoss', 'degrade'] as const,
            label: 'chaos',
          }
          const { actions, records } = expandChaos(spec, nodes, drillLinks)
          const held = new Map<string, number>()
          for (const a of actions) {
            assert.ok(a.at >= fromMs && a.at <= untilMs, `${a.kind} at ${a.at}`)
            if (a.kind === 'powerLoss') assert.ok(a.at + a.forMs <= untilMs)
          }
          for (const r of records) {
            const from = Math.round(r.atSeconds * 1000)
            const to = from + Math.round(r.forSeconds! * 1000)
            assert.ok(to <= untilMs)
            assert.ok((held.get(r.target) ?? -1) <= from, `${r.target} overlaps itself`)
            held.set(r.target, to)
          }
          const cutOrDegrade = actions.filter((a) => a.kind === 'cut' || a.kind === 'degrade')
          const restores = actions.filter((a) => a.kind === 'restore')
          assert.equal(restores.length, cutOrDegrade.length)
        },
      ),
      { numRuns: 300 },
    )
  })
})
