/** Retry timing shared by custody transfer and local delivery. */
export interface BackoffPolicy {
  /** First delay, ms. */
  initial: number
  /** Ceiling, ms. */
  max: number
  /** Random spread as a fraction of the delay (0.2 = ±20%). */
  jitter: number
}

/** Delay before retry number `attempt` (1-based): exponential, capped, jittered. */
export function backoffDelay(policy: BackoffPolicy, attempt: number, random = Math.random): number {
  const base = Math.min(policy.max, policy.initial * 2 ** Math.max(0, attempt - 1))
  const spread = base * policy.jitter * (random() * 2 - 1)
  return Math.max(0, Math.round(base + spread))
}
