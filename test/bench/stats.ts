/**
 * The spread of a set of samples: median with the 10th/90th percentiles and
 * the extremes. Benchmarks report medians because a shared machine makes the
 * mean hostage to whichever trial another process happened to interrupt.
 */
export interface Summary {
  n: number
  median: number
  p10: number
  p90: number
  min: number
  max: number
}

/**
 * The `q`-quantile (0..1) of ascending `sorted` by linear interpolation
 * between the two nearest ranks. NaN for no samples.
 */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN
  const at = Math.min(1, Math.max(0, q)) * (sorted.length - 1)
  const lo = Math.floor(at)
  const hi = Math.ceil(at)
  const low = sorted[lo]!
  const high = sorted[hi]!
  // Clamped: rounding in the interpolation must never step outside the two samples.
  return Math.min(high, Math.max(low, low + (high - low) * (at - lo)))
}

/** Summarises samples; every field is NaN when there are none. */
export function summarize(samples: readonly number[]): Summary {
  const sorted = samples.filter((v) => Number.isFinite(v)).sort((a, b) => a - b)
  return {
    n: sorted.length,
    median: quantile(sorted, 0.5),
    p10: quantile(sorted, 0.1),
    p90: quantile(sorted, 0.9),
    min: sorted.length === 0 ? Number.NaN : sorted[0]!,
    max: sorted.length === 0 ? Number.NaN : sorted[sorted.length - 1]!,
  }
}

/** A summary of one value measured once (a configured bound, say): no spread. */
export function constant(value: number): Summary {
  return { n: 1, median: value, p10: value, p90: value, min: value, max: value }
}

/** Percentiles of one trial's latencies, ready to be summarised across trials. */
export function latencyPercentiles(latencies: readonly number[]): { p50: number; p99: number } {
  const sorted = [...latencies].sort((a, b) => a - b)
  return { p50: quantile(sorted, 0.5), p99: quantile(sorted, 0.99) }
}
