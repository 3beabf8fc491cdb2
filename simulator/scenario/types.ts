import type { Priority } from '../../node/core/envelope.ts'

/**
 * A scenario after parsing, importing and validation: every unit converted
 * (milliseconds, bytes, bits per second, ratios), every link named, and the
 * fault list compiled into a timeline of primitive actions the runner applies.
 */
export interface Scenario {
  name: string
  /** Free text from the scenario file, for the report. */
  description?: string
  /** Absolute path of the scenario file. */
  file: string
  seed: number
  durationMs: number
  nodes: DrillNode[]
  links: DrillLink[]
  traffic: TrafficFlow[]
  /** The faults as written (after chaos expansion), for the report's `faults` list. */
  faults: FaultRecord[]
  /** Primitive actions sorted by time. */
  timeline: FaultAction[]
  expect: Expectations
  /** Gateway settings the scenario overrides (e.g. link.downAfter), as config-file YAML values. */
  gateway: Record<string, unknown>
}

export interface DrillNode {
  id: string
  region?: string
  latitude?: number
  longitude?: number
}

export interface DrillLink {
  /** Given id, or `<a>-<b>`. */
  id: string
  /** The dialling side. */
  a: string
  b: string
  latencyMs: number
  jitterMs: number
  lossRatio: number
  /** Undefined means no cap. */
  bandwidthBps?: number
  cables: string[]
}

export interface TrafficFlow {
  from: string
  to: string
  /** Messages per second. */
  ratePerSecond: number
  sizeBytes: number
  priority: Priority
  startMs: number
  stopMs: number
  /** Time-to-live of each message; the gateway default when absent. */
  ttlMs?: number
  /** Destination service; `inbox` when absent. */
  service: string
}

export type Direction = 'both' | 'a-to-b' | 'b-to-a'
export type CutMode = 'blackhole' | 'reset'

/** Link conditions a `degrade` sets; absent fields keep their current value. */
export interface LinkConditions {
  latencyMs?: number
  jitterMs?: number
  lossRatio?: number
  bandwidthBps?: number
}

/**
 * One primitive step of the timeline, at `at` ms after the drill starts.
 * - `cut`: the links stop carrying bytes in `direction` (`a-to-b` is the
 *   dialling side's bytes to the listener). `blackhole` keeps connections open
 *   and passes nothing; `reset` resets open connections and refuses new ones.
 * - `restore`: the links carry bytes again both ways, with their baseline
 *   conditions from `DrillLink` (this also undoes any earlier `degrade`).
 * - `degrade`: sets the given conditions on the links; absent fields keep
 *   their current value.
 * - `powerLoss`: `SIGKILL` the node's gateway, restart it on the same data
 *   directory `forMs` later.
 * `label` names the fault the action came from (`faults[2] cut cable:penghu-1`);
 * the runner records it as the `target` of `History.faultsApplied`.
 */
export type FaultAction =
  | { at: number; kind: 'cut'; links: string[]; mode: CutMode; direction: Direction; label: string }
  | { at: number; kind: 'restore'; links: string[]; label: string }
  | { at: number; kind: 'degrade'; links: string[]; conditions: LinkConditions; label: string }
  | { at: number; kind: 'powerLoss'; node: string; forMs: number; label: string }

/** One fault as reported: `{ at (seconds), kind, target }`. */
export interface FaultRecord {
  atSeconds: number
  kind: string
  target: string
  /** Seconds until it is undone, when it undoes itself (power loss, partition, flap period). */
  forSeconds?: number
}

/**
 * Upper bounds the verdict checks. `lost`, `duplicated` and `unexpected` default
 * to 0 when the scenario does not say; the others are unchecked when absent.
 */
export interface Expectations {
  lost?: number
  duplicated?: number
  unexpected?: number
  expired?: number
  /** Each cut with a surviving path must fail over within this many ms. */
  failoverWithinMs?: number
  /** Each powered-off gateway must drain its backlog within this many ms of restart. */
  drainedWithinMs?: number
}
