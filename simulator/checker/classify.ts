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
 */
export interface Classification {
  accepted: Map<string, SendRecord>
  /** Time of the first intact delivery per delivered id. */
  firstDelivery: Map<string, number>
  lost: string[]
  duplicated: string[]
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
  const deliveryCount = new Map<string, number>()
  const unexpected = new Set<string>()
  for (const delivery of history.deliveries) {
    const send = accepted.get(delivery.id)
    if (send === undefined || !delivery.bodyOk || delivery.node !== send.to) {
      unexpected.add(delivery.id)
      continue
    }
    deliveryCount.set(delivery.id, (deliveryCount.get(delivery.id) ?? 0) + 1)
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
  const duplicated = [...deliveryCount].filter(([, n]) => n > 1).map(([id]) => id)
  return {
    accepted,
    firstDelivery,
    lost,
    duplicated,
    unexpected: [...unexpected],
    expired,
    latenciesMs,
  }
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
