/**
 * A small seeded pseudo-random generator for reproducible chaos: the same seed
 * gives the same sequence on every machine and Node version, which
 * `Math.random` does not promise. Not for cryptography.
 *
 * Marsaglia's xorshift32 (shifts 13, 17, 5) over a state derived from the seed
 * by an integer mix, so neighbouring seeds (1, 2, 3) start far apart.
 */
export interface Random {
  /** Uniform in [0, 1). */
  next(): number
  /** Uniform integer in [0, n). */
  int(n: number): number
  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T
  /** Exponentially distributed with the given mean (inter-arrival times of a Poisson process). */
  exponential(mean: number): number
}

function mixSeed(seed: number): number {
  let h = (seed >>> 0) ^ 0x5bd1e995
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b)
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35)
  h ^= h >>> 16
  // xorshift has one fixed point, zero; any other state cycles through all 2^32 - 1 values.
  return h >>> 0 || 0x9e3779b9
}

export function createRandom(seed: number): Random {
  let state = mixSeed(seed)
  const next = (): number => {
    state ^= state << 13
    state ^= state >>> 17
    state ^= state << 5
    state >>>= 0
    return state / 4_294_967_296
  }
  for (let i = 0; i < 8; i++) next()
  return {
    next,
    int: (n) => Math.floor(next() * n),
    pick: (items) => items[Math.floor(next() * items.length)]!,
    exponential: (mean) => -mean * Math.log(1 - next()),
  }
}
