import type { Logger } from '../core/log.ts'
import type { Metrics } from '../metrics/catalogue.ts'
import type { CustodyStore, StatusRecord } from '../store/types.ts'

export interface ExpiryWatchOptions {
  self: string
  store: CustodyStore
  /** How often queues are swept for messages past their time-to-live. */
  intervalMs?: number
  /** How often spent dedupe records are deleted. */
  dedupeIntervalMs?: number
  logger: Logger
  metrics?: Metrics
}

/**
 * Enforces time-to-live. Queued messages past `expiresAt` leave the store;
 * messages this gateway sent that have no receipt by `expiresAt` are reported
 * `expired` to their sender (the destination refuses delivery after expiry, so
 * no receipt can follow one that was not already under way). Spent dedupe
 * records are deleted once their message could no longer arrive.
 */
export class ExpiryWatch {
  readonly #o: ExpiryWatchOptions
  /** Messages sent from here still waiting for a receipt: id → expiresAt. */
  readonly #pending = new Map<string, number>()
  #timer: NodeJS.Timeout | undefined
  #dedupeTimer: NodeJS.Timeout | undefined
  #running: Promise<void> = Promise.resolve()

  constructor(options: ExpiryWatchOptions) {
    this.#o = options
  }

  async start(): Promise<void> {
    for (const record of await this.#o.store.pendingStatuses()) this.track(record)
    this.#timer = setInterval(() => this.#tick(), this.#o.intervalMs ?? 1_000)
    this.#dedupeTimer = setInterval(() => this.#sweepDedupe(), this.#o.dedupeIntervalMs ?? 60_000)
    this.#timer.unref()
    this.#dedupeTimer.unref()
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer)
    clearInterval(this.#dedupeTimer)
    await this.#running
  }

  track(record: Pick<StatusRecord, 'id' | 'expiresAt'>): void {
    this.#pending.set(record.id, record.expiresAt)
  }

  settle(id: string): void {
    this.#pending.delete(id)
  }

  #tick(): void {
    this.#running = this.#running
      .then(() => this.sweep(Date.now()))
      .catch((err: Error) => {
        this.#o.logger.error({ err }, 'expiry sweep failed')
      })
  }

  /** One sweep at `now`; exposed for tests. */
  async sweep(now: number): Promise<void> {
    const { store, metrics, logger } = this.#o
    for (const msg of await store.sweepExpired(now)) {
      metrics?.expired.inc({ place: msg.place })
      logger.info(
        { id: msg.env.core.id, dst: msg.env.core.dst, place: msg.place },
        'message expired',
      )
    }
    for (const [id, expiresAt] of this.#pending) {
      if (expiresAt > now) continue
      this.#pending.delete(id)
      const record = await store.getStatus(id)
      if (record?.status !== 'queued' && record?.status !== 'in-transit') continue
      await store.updateStatus(id, { status: 'expired', updatedAt: now, reason: 'EXPIRED' })
      logger.warn({ id, dst: record.dst }, 'no receipt before expiry; reported expired to sender')
    }
  }

  #sweepDedupe(): void {
    this.#running = this.#running
      .then(async () => {
        const removed = await this.#o.store.sweepDedupe(Date.now())
        if (removed > 0) this.#o.logger.debug({ removed }, 'spent dedupe records deleted')
      })
      .catch((err: Error) => this.#o.logger.error({ err }, 'dedupe sweep failed'))
  }
}
