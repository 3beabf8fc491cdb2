import type { Envelope } from '../core/envelope.ts'
import { isLifelineError, LifelineError } from '../core/errors.ts'
import type { Logger } from '../core/log.ts'
import { type BackoffPolicy, backoffDelay } from '../custody/backoff.ts'
import type { Metrics } from '../metrics/catalogue.ts'
import type { CustodyStore, QueuedMessage } from '../store/types.ts'
import { openEnvelope } from '../trust/envelope-signing.ts'
import { payloadSha256, type ReceiptBody } from '../trust/receipt-body.ts'
import { postBytes, type ServiceAnswer } from './post.ts'
import { buildReceipt, type ReceiptSigner } from './receipts.ts'

export interface LocalService {
  name: string
  url: string
  timeout: number
}

export interface DelivererOptions {
  store: CustodyStore
  services: LocalService[]
  receipts: ReceiptSigner
  sealingSecret: Uint8Array
  retry: BackoffPolicy
  /** Deliveries in progress at once. */
  concurrency?: number
  /** A receipt was queued for `dst` (the sender): wake the forwarder. */
  onReceiptQueued(dst: string): void
  logger: Logger
  metrics?: Metrics
}

/** The service answered something other than 2xx, or could not be reached. */
class ServiceUnavailableError extends Error {
  override name = 'ServiceUnavailableError'
}

/**
 * Hands arrived messages to their local service: POST of the plaintext with the
 * message id as idempotency key, retried with backoff until a 2xx or expiry.
 * Only after the 2xx does the store record the delivery together with the
 * signed receipt, so a crash in between re-delivers with the same id.
 */
export class Deliverer {
  readonly #o: DelivererOptions
  readonly #services: Map<string, LocalService>
  readonly #busy = new Set<string>()
  readonly #attempts = new Map<string, number>()
  readonly #timers = new Set<NodeJS.Timeout>()
  #pumping = false
  #again = false
  #stopped = false

  constructor(options: DelivererOptions) {
    this.#o = options
    this.#services = new Map(options.services.map((s) => [s.name, s]))
  }

  wake(): void {
    if (this.#stopped) return
    if (this.#pumping) {
      this.#again = true
      return
    }
    void this.#pump()
  }

  stop(): void {
    this.#stopped = true
    for (const t of this.#timers) clearTimeout(t)
  }

  get inProgress(): number {
    return this.#busy.size
  }

  async #pump(): Promise<void> {
    this.#pumping = true
    try {
      do {
        this.#again = false
        const room = (this.#o.concurrency ?? 32) - this.#inFlight()
        if (room <= 0) break
        const batch = await this.#o.store.inbound(room, this.#busy)
        for (const msg of batch) this.#start(msg)
        if (batch.length === room) this.#again = true
      } while (this.#again && !this.#stopped)
    } catch (err) {
      this.#o.logger.error({ err }, 'delivery pump failed; will retry on next wake')
    } finally {
      this.#pumping = false
    }
  }

  #inFlight(): number {
    return this.#busy.size - this.#timers.size
  }

  #start(msg: QueuedMessage): void {
    const id = msg.env.core.id
    this.#busy.add(id)
    this.#deliver(msg.env)
      .then(() => {
        this.#attempts.delete(id)
        this.#busy.delete(id)
      })
      .catch((err: Error) => this.#retryLater(msg.env, err))
      .finally(() => this.wake())
  }

  async #deliver(env: Envelope): Promise<void> {
    const { core } = env
    if (core.expiresAt <= Date.now()) {
      if ((await this.#o.store.expire(core.id)) !== undefined) {
        this.#o.metrics?.expired.inc({ place: 'inbound' })
        this.#o.logger.info({ id: core.id, src: core.src }, 'message expired before local delivery')
      }
      return
    }
    const refusal = this.#refusal(env)
    if (refusal !== undefined) {
      this.#o.metrics?.rejected.inc({ reason: refusal.code })
      this.#o.logger.warn({ id: core.id, src: core.src, code: refusal.code }, refusal.message)
      await this.#finish(env, { outcome: 'rejected', reason: refusal.code })
      return
    }
    let plaintext: Uint8Array
    try {
      plaintext = openEnvelope(env, this.#o.sealingSecret)
    } catch (err) {
      const code = isLifelineError(err) ? err.code : 'DECRYPT_FAILED'
      this.#o.metrics?.rejected.inc({ reason: code })
      await this.#finish(env, { outcome: 'rejected', reason: code })
      return
    }
    const reply = await this.#post(env, plaintext)
    this.#o.metrics?.delivered.inc({ priority: core.priority })
    this.#o.metrics?.deliveryLatency.observe(
      { priority: core.priority },
      Math.max(0, Date.now() - core.createdAt) / 1000,
    )
    await this.#finish(env, { outcome: 'delivered', ...(core.expectReply ? { reply } : {}) })
  }

  /** Access rights are decided here, at the destination, against the roster in force. */
  #refusal(env: Envelope): LifelineError | undefined {
    const { core } = env
    if (!this.#services.has(core.service)) {
      return new LifelineError('UNKNOWN_SERVICE', `no local service ${core.service}`)
    }
    if (!this.#o.receipts.roster().mayCall(core.src, this.#o.receipts.self, core.service)) {
      return new LifelineError('FORBIDDEN', `${core.src} may not call ${core.service}`)
    }
    return undefined
  }

  async #post(env: Envelope, plaintext: Uint8Array): Promise<ReceiptBody['reply']> {
    const { core } = env
    const service = this.#services.get(core.service)!
    let res: ServiceAnswer
    try {
      res = await postBytes(
        service.url,
        plaintext,
        {
          'content-type': 'application/octet-stream',
          'idempotency-key': core.id,
          'lifeline-message-id': core.id,
          'lifeline-source': core.src,
          'lifeline-service': core.service,
          'lifeline-priority': core.priority,
          'lifeline-created-at': String(core.createdAt),
        },
        service.timeout,
      )
    } catch (err) {
      throw new ServiceUnavailableError(`${service.url} unreachable: ${(err as Error).message}`)
    }
    if (res.status < 200 || res.status > 299) {
      throw new ServiceUnavailableError(`${service.url} answered ${res.status}`)
    }
    return { status: res.status, contentType: res.contentType, body: res.body.toString('base64') }
  }

  async #finish(env: Envelope, outcome: Omit<ReceiptBody, 'messageId' | 'at' | 'payloadSha256'>) {
    const body: ReceiptBody = {
      messageId: env.core.id,
      at: Date.now(),
      payloadSha256: payloadSha256(env),
      ...outcome,
    }
    const receipt =
      env.core.src === this.#o.receipts.self ? undefined : await this.#receipt(env, body)
    await this.#o.store.delivered(env.core.id, receipt)
    if (receipt !== undefined) this.#o.onReceiptQueued(receipt.core.dst)
  }

  async #receipt(env: Envelope, body: ReceiptBody): Promise<Envelope | undefined> {
    try {
      return await buildReceipt(env, body, this.#o.receipts)
    } catch (err) {
      // A sender that left the roster can get no sealed receipt; the delivery itself stands.
      this.#o.logger.warn({ id: env.core.id, err: (err as Error).message }, 'no receipt possible')
      return undefined
    }
  }

  #retryLater(env: Envelope, err: Error): void {
    const id = env.core.id
    const attempt = (this.#attempts.get(id) ?? 0) + 1
    this.#attempts.set(id, attempt)
    const delay = backoffDelay(this.#o.retry, attempt)
    this.#o.metrics?.custodyRetries.inc({ stage: 'delivery' })
    const level = attempt === 1 || attempt % 10 === 0 ? 'warn' : 'debug'
    this.#o.logger[level](
      { id, attempt, delay, reason: err.message },
      'local delivery failed; retrying',
    )
    const timer = setTimeout(() => {
      this.#timers.delete(timer)
      this.#busy.delete(id)
      this.wake()
    }, delay)
    this.#timers.add(timer)
  }
}
