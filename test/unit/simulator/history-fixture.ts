import type { History } from '../../../simulator/checker/types.ts'
import type { Scenario } from '../../../simulator/scenario/types.ts'

/**
 * A synthetic history for `scenario`: every flow sends at its rate from start
 * to stop; messages arrive after a base latency, slower while a link fault is
 * in force; `lose` names sequence numbers of flow 0 that never arrive. Backlog
 * samples grow while a power loss holds. Deterministic, so reports built from
 * it can be compared.
 */
export function syntheticHistory(scenario: Scenario, lose: number[] = []): History {
  const sends: History['sends'] = []
  const deliveries: History['deliveries'] = []
  const faultUntil = scenario.timeline
    .filter((a) => a.kind === 'cut')
    .map((a) => [a.at, a.at + 800] as const)
  scenario.traffic.forEach((flow, f) => {
    const gap = 1000 / flow.ratePerSecond
    for (let seq = 0, t = flow.startMs; t < flow.stopMs; seq++, t += gap) {
      const at = Math.round(t)
      const id = `f${f}-${seq}`
      sends.push({ flow: f, from: flow.from, to: flow.to, seq, at, outcome: 'accepted', id })
      if (f === 0 && lose.includes(seq)) continue
      const slow = faultUntil.some(([from, to]) => at >= from && at < to)
      deliveries.push({ node: flow.to, id, at: at + (slow ? 600 : 15 + (seq % 7)), bodyOk: true })
    }
  })
  const samples: History['samples'] = []
  for (let t = 0; t < scenario.durationMs; t += 500) {
    scenario.nodes.forEach((node, i) => {
      samples.push({ at: t, node: node.id, backlog: (i + Math.floor(t / 1000)) % 5 })
    })
  }
  return {
    sends,
    deliveries,
    statuses: new Map(),
    powerLosses: [
      { node: scenario.nodes[0]!.id, killedAt: 18_000, restartedAt: 26_000, drainedAt: 27_200 },
    ],
    faultsApplied: scenario.timeline.map((a) => ({ at: a.at + 5, kind: a.kind, target: a.label })),
    samples,
    startedAt: Date.UTC(2025, 1, 25, 8, 0, 0),
    endedAt: scenario.durationMs,
  }
}
