import type { DeliveryRecord } from './recorder.ts'
import type { DrillMetrics } from './service-discovery.ts'
import type { SendRecord } from './traffic.ts'

/**
 * Running counts while a drill is under way, kept up to date from the
 * generator's and recorder's callbacks so the progress line and the
 * simulator's metrics cost nothing to read. The verdict is the checker's;
 * these are only what can be known before the end.
 */
export class Tally {
  sent = 0
  accepted = 0
  refused = 0
  /** Deliveries recorded, duplicates included. */
  recorded = 0
  /** Distinct accepted messages recorded at least once. */
  delivered = 0
  /** Deliveries of an id already recorded. */
  duplicates = 0
  /** Deliveries that failed their payload check. */
  corrupt = 0
  /** Accepted and not yet recorded. */
  inFlight = 0
  readonly #accepted = new Set<string>()
  readonly #seen = new Set<string>()
  readonly #metrics: DrillMetrics | undefined

  constructor(metrics?: DrillMetrics) {
    this.#metrics = metrics
  }

  submitted(): void {
    this.sent++
    this.#metrics?.sent.inc()
  }

  answered(record: SendRecord): void {
    if (record.outcome === 'accepted' && record.id !== undefined) {
      this.accepted++
      this.#accepted.add(record.id)
      if (this.#seen.has(record.id)) this.delivered++
      else this.inFlight++
      this.#metrics?.accepted.inc()
    } else if (record.outcome === 'refused') {
      this.refused++
      this.#metrics?.refused.inc({ code: record.code ?? 'UNKNOWN' })
    }
    this.#publish()
  }

  recordedDelivery(d: DeliveryRecord): void {
    this.recorded++
    this.#metrics?.recorded.inc()
    if (d.problem !== undefined) this.corrupt++
    else if (this.#seen.has(d.messageId)) this.duplicates++
    else {
      this.#seen.add(d.messageId)
      if (this.#accepted.has(d.messageId)) {
        this.delivered++
        this.inFlight--
      }
    }
    this.#publish()
  }

  #publish(): void {
    const m = this.#metrics
    if (m === undefined) return
    m.inFlight.set(this.inFlight)
    m.duplicated.set(this.duplicates)
    m.unexpected.set(this.corrupt)
  }
}
