import type { FaultAction } from '../scenario/types.ts'

/**
 * What the runner observed during a drill, and what the checker concludes from
 * it. All times are milliseconds since the drill started unless a field says
 * otherwise.
 */

/** One attempt to hand a message to a gateway's local API. */
export interface SendRecord {
  /** Index of the flow in `Scenario.traffic`. */
  flow: number
  from: string
  to: string
  /** Sequence number within the flow. */
  seq: number
  at: number
  /** `accepted` is a `202`; `refused` a 4xx/5xx answer; `error` no answer at all. */
  outcome: 'accepted' | 'refused' | 'error'
  /** Message id from the `202`. */
  id?: string
  /** Error code of a refusal. */
  code?: string
  /** When the message's time-to-live runs out. */
  expiresAt?: number
}

/** One POST the destination's service endpoint received. */
export interface DeliveryRecord {
  /** The gateway whose service received it. */
  node: string
  /** The `Lifeline-Message-Id` header. */
  id: string
  at: number
  /** Whether the body is the payload that was sent under this id. */
  bodyOk: boolean
}

export interface PowerLossRecord {
  node: string
  killedAt: number
  restartedAt: number
  /** When the restarted gateway's backlog first reached zero; absent if it never did. */
  drainedAt?: number
}

/** A timeline action as the runner applied it. */
export interface AppliedFault {
  at: number
  kind: FaultAction['kind']
  /** The action's `label`, e.g. `faults[2] cut cable:penghu-1`. */
  target: string
}

/** A gateway's backlog (messages it holds for others) sampled by the runner. */
export interface BacklogSample {
  at: number
  node: string
  backlog: number
}

export interface History {
  sends: SendRecord[]
  deliveries: DeliveryRecord[]
  /** Final sender-side status per message id, from `GET /v1/messages/:id` (e.g. `expired`). */
  statuses: Map<string, string>
  powerLosses: PowerLossRecord[]
  faultsApplied: AppliedFault[]
  samples: BacklogSample[]
  /** Unix ms at drill time zero, when known (the report prints it). */
  startedAt?: number
  endedAt: number
}

export interface MessageCounts {
  /** Send attempts, whatever their outcome. */
  sent: number
  accepted: number
  /** Accepted messages delivered at least once, intact, to the right gateway. */
  delivered: number
  lost: number
  duplicated: number
  /** Delivered again only after the destination gateway crashed mid-delivery (allowed). */
  redeliveredAfterCrash: number
  unexpected: number
  expired: number
}

/** Seconds; all zero when nothing was delivered. */
export interface LatencySummary {
  p50: number
  p95: number
  p99: number
  max: number
}

/** Failover after one cut that left every flow a path (see `failover.ts`). */
export interface Failover {
  /** Seconds since start at which the cut was applied. */
  at: number
  /** The cut's label. */
  target: string
  /** Null when no message created after the cut was delivered. */
  seconds: number | null
}

export interface Recovery {
  node: string
  /** Seconds since start. */
  restartedAt: number
  /** Restart until drained; null when the backlog never drained. */
  seconds: number | null
}

export interface CheckResult {
  messages: MessageCounts
  latencySeconds: LatencySummary
  failovers: Failover[]
  recoveries: Recovery[]
  /** Ids behind the bad counts, for whoever investigates a failed drill. */
  ids: { lost: string[]; duplicated: string[]; unexpected: string[]; expired: string[] }
  verdict: { passed: boolean; failures: string[] }
}
