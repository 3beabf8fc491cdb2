/** What link cost is computed from: the monitor's smoothed RTT and loss ratio. */
export interface LinkQuality {
  /** Smoothed round-trip time in milliseconds; undefined before the first answered probe. */
  rttMs: number | undefined
  /** Fraction of recent probes unanswered, 0 to 1. */
  loss: number
}

export interface LinkCostOptions {
  /** Cost added per unit of loss ratio (config `routing.lossPenalty`). */
  lossPenalty: number
  /**
   * Least cost of any link, in milliseconds. A loopback or same-rack link
   * measures close to 0 ms; without a floor a chain of such links would look
   * free, and path weighting would divide by zero.
   * @default 1
   */
  floorMs?: number
}

/**
 * Routing cost of a link: RTT in milliseconds plus loss times the loss
 * penalty, at least the floor. A 10% lossy 5 ms link costs 5 + 0.1 * penalty.
 * A link never answered has no usable cost (+Infinity): routing skips it.
 */
export function linkCost(quality: LinkQuality, options: LinkCostOptions): number {
  const { rttMs, loss } = quality
  if (rttMs === undefined || !Number.isFinite(rttMs) || !Number.isFinite(loss)) {
    return Number.POSITIVE_INFINITY
  }
  const lossRatio = Math.min(1, Math.max(0, loss))
  return Math.max(options.floorMs ?? 1, Math.max(0, rttMs) + lossRatio * options.lossPenalty)
}

/**
 * Whether a cost moved enough to be worth flooding a new link-state record.
 * RTT jitter moves costs all the time; re-announcing every wobble would churn
 * routes and the overlay for nothing. Becoming or ceasing to be finite always counts.
 */
export function costChangedSignificantly(
  previous: number,
  next: number,
  tolerance: { relative: number; absolute: number } = { relative: 0.2, absolute: 2 },
): boolean {
  if (Number.isFinite(previous) !== Number.isFinite(next)) return true
  if (!Number.isFinite(next)) return false
  const delta = Math.abs(next - previous)
  return delta > tolerance.absolute && delta > tolerance.relative * Math.min(previous, next)
}
