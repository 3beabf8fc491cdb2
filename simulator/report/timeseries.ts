import { classify, msToSeconds, percentile } from '../checker/classify.ts'
import type { History } from '../checker/types.ts'
import type { Scenario } from '../scenario/types.ts'

/** Per-second series for the report's charts; times in seconds since the drill started. */
export interface Timeseries {
  /** Start of each one-second bucket. */
  seconds: number[]
  /** Send attempts per second. */
  sent: number[]
  accepted: number[]
  /** Messages delivered for the first time, per second of delivery. */
  delivered: number[]
  /** Latency of the messages delivered in each second; null where none were. */
  latencyP50: Array<number | null>
  latencyMax: Array<number | null>
  /** Backlog samples per gateway, as the runner took them. */
  backlog: Array<{ node: string; at: number[]; backlog: number[] }>
  /** When each fault held, for shading the charts. */
  faultSpans: FaultSpan[]
}

export interface FaultSpan {
  from: number
  to: number
  kind: string
  /** The action label, e.g. `faults[0] cut cable:penghu-1`. */
  target: string
}

export function buildTimeseries(scenario: Scenario, history: History): Timeseries {
  const buckets = Math.max(1, Math.ceil(history.endedAt / 1000))
  const bucketOf = (ms: number) => Math.min(buckets - 1, Math.max(0, Math.floor(ms / 1000)))
  const sent = new Array<number>(buckets).fill(0)
  const accepted = new Array<number>(buckets).fill(0)
  const delivered = new Array<number>(buckets).fill(0)
  const latencies = Array.from({ length: buckets }, (): number[] => [])
  for (const send of history.sends) {
    sent[bucketOf(send.at)]!++
    if (send.outcome === 'accepted') accepted[bucketOf(send.at)]!++
  }
  const classes = classify(history)
  for (const [id, at] of classes.firstDelivery) {
    const bucket = bucketOf(at)
    delivered[bucket]!++
    latencies[bucket]!.push(at - classes.accepted.get(id)!.at)
  }
  const sorted = latencies.map((list) => list.sort((x, y) => x - y))
  return {
    seconds: Array.from({ length: buckets }, (_, i) => i),
    sent,
    accepted,
    delivered,
    latencyP50: sorted.map((l) => (l.length === 0 ? null : msToSeconds(percentile(l, 0.5)))),
    latencyMax: sorted.map((l) => (l.length === 0 ? null : msToSeconds(l[l.length - 1]!))),
    backlog: backlogSeries(history),
    faultSpans: faultSpans(scenario, Math.max(history.endedAt, scenario.durationMs)),
  }
}

function backlogSeries(history: History): Timeseries['backlog'] {
  const byNode = new Map<string, { node: string; at: number[]; backlog: number[] }>()
  const samples = [...history.samples].sort((x, y) => x.at - y.at)
  for (const sample of samples) {
    let series = byNode.get(sample.node)
    if (series === undefined) {
      series = { node: sample.node, at: [], backlog: [] }
      byNode.set(sample.node, series)
    }
    series.at.push(msToSeconds(sample.at))
    series.backlog.push(sample.backlog)
  }
  return [...byNode.values()].sort((x, y) => x.node.localeCompare(y.node))
}

/**
 * Spans from the scripted timeline: a cut or degrade holds until the first
 * later restore of any of its links (else to the end), a power loss for its
 * `forMs`.
 */
export function faultSpans(scenario: Scenario, endMs: number): FaultSpan[] {
  const spans: FaultSpan[] = []
  scenario.timeline.forEach((action, index) => {
    if (action.kind === 'restore') return
    let to = endMs
    if (action.kind === 'powerLoss') to = action.at + action.forMs
    else {
      const links = new Set(action.links)
      const restore = scenario.timeline
        .slice(index + 1)
        .find((a) => a.kind === 'restore' && a.links.some((id) => links.has(id)))
      if (restore !== undefined) to = restore.at
    }
    spans.push({
      from: msToSeconds(action.at),
      to: msToSeconds(Math.min(to, endMs)),
      kind: action.kind,
      target: action.label,
    })
  })
  return spans
}
