import type { FaultAction, Scenario } from '../scenario/types.ts'
import { type Classification, msToSeconds } from './classify.ts'
import type { Failover, History, Recovery } from './types.ts'

type CutAction = Extract<FaultAction, { kind: 'cut' }>

/**
 * Failover time, per cut: how long until traffic flows again. A cut counts
 * when, right after it (every timeline action up to and including it applied,
 * gateways in a scripted power loss removed), each flow still sending at that
 * moment whose two gateways are up has a path between them over the links
 * still up: the cut left a surviving path, so traffic ought to move to it.
 * For such a cut at time T, each flow that was flowing at T (it had a
 * delivery within the window before T: five seconds, or ten send intervals
 * for a slow flow) and still had a message undelivered at T, or sent one after
 * T, gives the time from T to its first delivery after T; the cut's failover
 * time is the largest of these. It is null when such a flow never got another
 * message delivered. A flow already stalled by an earlier fault (its
 * destination powered off, its only path still being rebuilt) was not
 * interrupted by this cut, so this cut is not charged for it.
 *
 * "Flows again" counts any message of the flow, old or new, so a backlog
 * left by an earlier fault that keeps moving over the surviving path counts
 * as flowing, and new messages queued behind it do not inflate the figure
 * (that wait is latency, which the report shows separately). The other side
 * of that choice: a message already past the cut point when the cut came can
 * arrive first and make failover look early, by at most the time such a
 * message takes to finish its trip. The benchmark measures failover with no
 * backlog and no such ambiguity.
 *
 * T is when the runner applied the cut (matched by label and order in
 * `faultsApplied`), or the scripted time when the runner did not record it.
 * A later fault before that delivery also counts against it.
 */
export function failovers(
  scenario: Scenario,
  history: History,
  classes: Classification,
): Failover[] {
  const appliedAt = appliedTimes(history)
  const seen = new Map<string, number>()
  const out: Failover[] = []
  scenario.timeline.forEach((action, index) => {
    if (action.kind !== 'cut') return
    const n = seen.get(action.label) ?? 0
    seen.set(action.label, n + 1)
    if (!leavesPaths(scenario, index, action)) return
    const at = appliedAt.get(action.label)?.[n] ?? action.at
    const seconds = firstDeliveryAfter(at, classes, flowingAt(scenario, at, classes))
    if (seconds !== undefined) out.push({ at: msToSeconds(at), target: action.label, seconds })
  })
  return out
}

function appliedTimes(history: History): Map<string, number[]> {
  const times = new Map<string, number[]>()
  for (const fault of history.faultsApplied) {
    if (fault.kind !== 'cut') continue
    const list = times.get(fault.target) ?? []
    list.push(fault.at)
    times.set(fault.target, list)
  }
  return times
}

/** Whether, after timeline[index], every live flow's gateways are still connected. */
export function leavesPaths(scenario: Scenario, index: number, cut: CutAction): boolean {
  const down = new Set<string>()
  for (const action of scenario.timeline.slice(0, index + 1)) {
    if (action.kind === 'cut') for (const id of action.links) down.add(id)
    if (action.kind === 'restore') for (const id of action.links) down.delete(id)
  }
  const offline = new Set(
    scenario.timeline.flatMap((a) =>
      a.kind === 'powerLoss' && a.at <= cut.at && cut.at < a.at + a.forMs ? [a.node] : [],
    ),
  )
  const neighbours = new Map<string, string[]>()
  for (const link of scenario.links) {
    if (down.has(link.id) || offline.has(link.a) || offline.has(link.b)) continue
    neighbours.set(link.a, [...(neighbours.get(link.a) ?? []), link.b])
    neighbours.set(link.b, [...(neighbours.get(link.b) ?? []), link.a])
  }
  return scenario.traffic
    .filter((flow) => flow.stopMs > cut.at && !offline.has(flow.from) && !offline.has(flow.to))
    .every((flow) => reachable(neighbours, flow.from).has(flow.to))
}

function reachable(neighbours: Map<string, string[]>, from: string): Set<string> {
  const seen = new Set([from])
  const queue = [from]
  for (let node = queue.shift(); node !== undefined; node = queue.shift()) {
    for (const next of neighbours.get(node) ?? []) {
      if (seen.has(next)) continue
      seen.add(next)
      queue.push(next)
    }
  }
  return seen
}

/** A flow with no delivery for this long before a cut was already stalled. */
const FLOWING_WINDOW_MS = 5_000

/** Flows with a delivery in the window just before `at`. */
function flowingAt(scenario: Scenario, at: number, classes: Classification): Set<number> {
  const flowing = new Set<number>()
  for (const [id, send] of classes.accepted) {
    const delivered = classes.firstDelivery.get(id)
    if (delivered === undefined || delivered >= at) continue
    const rate = scenario.traffic[send.flow]?.ratePerSecond ?? 1
    if (delivered >= at - Math.max(FLOWING_WINDOW_MS, 10_000 / rate)) flowing.add(send.flow)
  }
  return flowing
}

/** Undefined when no flowing flow had anything in flight or to send after the cut. */
function firstDeliveryAfter(
  at: number,
  classes: Classification,
  flowing: Set<number>,
): number | null | undefined {
  const firstPerFlow = new Map<number, number>()
  const waiting = new Set<number>()
  for (const [id, send] of classes.accepted) {
    if (!flowing.has(send.flow)) continue
    const delivered = classes.firstDelivery.get(id)
    if (delivered !== undefined && delivered < at) continue
    if (send.at >= at || delivered === undefined || delivered >= at) waiting.add(send.flow)
    if (delivered === undefined) continue
    const best = firstPerFlow.get(send.flow)
    if (best === undefined || delivered < best) firstPerFlow.set(send.flow, delivered)
  }
  if ([...waiting].some((flow) => !firstPerFlow.has(flow))) return null
  if (firstPerFlow.size === 0) return undefined
  return msToSeconds(Math.max(...[...firstPerFlow.values()].map((t) => t - at)))
}

/** Per power loss, the time from restart until the gateway's backlog drained. */
export function recoveries(history: History): Recovery[] {
  return history.powerLosses.map((loss) => ({
    node: loss.node,
    restartedAt: msToSeconds(loss.restartedAt),
    seconds: loss.drainedAt === undefined ? null : msToSeconds(loss.drainedAt - loss.restartedAt),
  }))
}
