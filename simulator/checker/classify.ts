import type { History, LatencySummary, SendRecord } from './types.ts'

/**
 * Every accepted message sorted into one class, the way a queue checker does:
 * - delivered: reached its destination gateway's service intact at least once;
 * - duplicated: delivered (intact) more than once, also counted as delivered;
 * - expired: never delivered, its time-to-live passed before the drill ended
 *   (when the runner knows `expiresAt`) and the sender's status says `expired`;
 * - lost: never delivered and not expired by that rule; an accepted message
 *   whose time-to-live passed without the sender saying so is lost too.
 * A delivery is unexpected when its id was never accepted, its body does not
 * match what was sent, or it arrived at a gateway other than the destination.
 *
 * One repeat is not a duplicate: the design lets a destination gateway that
 * crashed after its service answered, but before it recorded the delivery,
 * hand the message over again with the same id. A repeat counts as
 * `redelivered` when a power loss of the destination falls between it and the
 * delivery before it; any other repeat is `duplicated`.
 */
export interface Classification {
  accepted: Map<string, SendRecord>
  /** Time of the first intact delivery per delivered id. */
  firstDelivery: Map<string, number>
  lost: string[]
  duplicated: string[]
  /** Repeated only across a crash of the destination gateway (allowed). */
  redelivered: string[]
  unexpected: string[]
  expired: string[]
  /** Per delivered message, first delivery minus send time, in ms. */
  latenciesMs: number[]
}

export function classify(history: History): Classification {
  const accepted = new Map<string, SendRecord>()
  for (const send of history.sends) {
    if (send.outcome === 'accepted' && send.id !== undefined) accepted.set(send.id, send)
  }
  const firstDelivery = new Map<string, number>()
  const deliveryTimes = new Map<string, number[]>()
  const unexpected = new Set<string>()
  for (const delivery of history.deliveries) {
    const send = accepted.get(delivery.id)
    if (send === undefined || !delivery.bodyOk || delivery.node !== send.to) {
      unexpected.add(delivery.id)
      continue
    }
    const times = deliveryTimes.get(delivery.id) ?? []
    times.push(delivery.at)
    deliveryTimes.set(delivery.id, times)
    const first = firstDelivery.get(delivery.id)
    if (first === undefined || delivery.at < first) firstDelivery.set(delivery.id, delivery.at)
  }
  const lost: string[] = []
  const expired: string[] = []
  const latenciesMs: number[] = []
  for (const [id, send] of accepted) {
    const at = firstDelivery.get(id)
    if (at !== undefined) latenciesMs.push(at - send.at)
    else if (hasExpired(send, history)) expired.push(id)
    else lost.push(id)
  }
  const duplicated: string[] = []
  const redelivered: string[] = []
  for (const [id, times] of deliveryTimes) {
    if (times.length < 2) continue
    const node = accepted.get(id)!.to
    if (repeatsFollowCrashes(times, node, history)) redelivered.push(id)
    else duplicated.push(id)
  }
  return {
    accepted,
    firstDelivery,
    lost,
    duplicated,
    redelivered,
    unexpected: [...unexpected],
    expired,
    latenciesMs,
  }
}

/** Whether a power loss of `node` lies between every two consecutive deliveries. */
function repeatsFollowCrashes(times: number[], node: string, history: History): boolean {
  const sorted = [...times].sort((a, b) => a - b)
  for (let i = 1; i < sorted.length; i++) {
    const crash = history.powerLosses.some(
      (p) => p.node === node && p.killedAt >= sorted[i - 1]! && p.killedAt <= sorted[i]!,
    )
    if (!crash) return false
  }
  return true
}

function hasExpired(send: SendRecord, history: History): boolean {
  const ttlPassed = send.expiresAt === undefined || send.expiresAt <= history.endedAt
  return ttlPassed && history.statuses.get(send.id!) === 'expired'
}

/** Nearest-rank percentile of an ascending list; 0 for an empty one. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0
  const rank = Math.max(1, Math.ceil(p * sorted.length))
  return sorted[Math.min(rank, sorted.length) - 1]!
}

/** p50/p95/p99/max of millisecond latencies, in seconds. */
export function summarizeLatency(latenciesMs: readonly number[]): LatencySummary {
  const sorted = [...latenciesMs].sort((x, y) => x - y)
  return {
    p50: msToSeconds(percentile(sorted, 0.5)),
    p95: msToSeconds(percentile(sorted, 0.95)),
    p99: msToSeconds(percentile(sorted, 0.99)),
    max: msToSeconds(sorted[sorted.length - 1] ?? 0),
  }
}

/** Milliseconds as seconds, rounded to the millisecond so reports stay readable. */
export function msToSeconds(ms: number): number {
  return Math.round(ms) / 1000
}
