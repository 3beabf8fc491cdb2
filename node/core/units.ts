/**
 * Parsers for the human units used in config and scenario files:
 * durations (`250ms`, `10s`, `2m`, `1h`), sizes (`512B`, `1KiB`, `1MiB`, `1GiB`),
 * rates (`50/s`, `3/m`), bandwidth (`2Mbps`, `512kbps`) and ratios (`1%`, `0.5%`).
 * Each parser also accepts a plain number in the base unit (milliseconds, bytes,
 * per second, bits per second, fraction).
 */

const DURATION_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
}
const SIZE_BYTES: Record<string, number> = {
  B: 1,
  KiB: 1024,
  MiB: 1024 ** 2,
  GiB: 1024 ** 3,
  KB: 1000,
  MB: 1000 ** 2,
  GB: 1000 ** 3,
}
const BANDWIDTH_BPS: Record<string, number> = { bps: 1, kbps: 1e3, Kbps: 1e3, Mbps: 1e6, Gbps: 1e9 }
const RATE_PER_S: Record<string, number> = { s: 1, m: 1 / 60, h: 1 / 3600 }

function parseWithUnits(
  input: string | number,
  units: Record<string, number>,
  what: string,
  example: string,
): number {
  if (typeof input === 'number') {
    if (!Number.isFinite(input) || input < 0) throw new RangeError(`${what} must be >= 0`)
    return input
  }
  const match = /^\s*(\d+(?:\.\d+)?)\s*([A-Za-z]+)\s*$/.exec(input)
  const factor = match === null ? undefined : units[match[2]!]
  if (match === null || factor === undefined) {
    throw new RangeError(`invalid ${what} "${input}": expected e.g. ${example}`)
  }
  return Number(match[1]) * factor
}

/** Duration in milliseconds. */
export function parseDuration(input: string | number): number {
  return parseWithUnits(input, DURATION_MS, 'duration', '250ms, 10s, 2m')
}

/** Size in bytes. */
export function parseSize(input: string | number): number {
  return Math.round(parseWithUnits(input, SIZE_BYTES, 'size', '512B, 1KiB, 1MiB'))
}

/** Bandwidth in bits per second. */
export function parseBandwidth(input: string | number): number {
  return parseWithUnits(input, BANDWIDTH_BPS, 'bandwidth', '2Mbps, 512kbps')
}

/** Rate in events per second. */
export function parseRate(input: string | number): number {
  if (typeof input === 'number') return parseWithUnits(input, RATE_PER_S, 'rate', '50/s')
  const match = /^\s*(\d+(?:\.\d+)?)\s*\/\s*([smh])\s*$/.exec(input)
  if (match === null) throw new RangeError(`invalid rate "${input}": expected e.g. 50/s, 3/m`)
  return Number(match[1]) * RATE_PER_S[match[2]!]!
}

/** Ratio as a fraction in [0, 1]; `2%` is 0.02. */
export function parseRatio(input: string | number): number {
  let value: number
  if (typeof input === 'number') value = input
  else {
    const match = /^\s*(\d+(?:\.\d+)?)\s*%\s*$/.exec(input)
    if (match === null) throw new RangeError(`invalid ratio "${input}": expected e.g. 2%`)
    value = Number(match[1]) / 100
  }
  if (!(value >= 0 && value <= 1)) throw new RangeError(`ratio ${input} is outside 0..100%`)
  return value
}
