import type { Ed25519PrivateKey } from '@libp2p/interface'
import type { Priority } from '../core/envelope.ts'
import { LifelineError } from '../core/errors.ts'
import type { Metrics } from '../metrics/catalogue.ts'
import { type CustodyStore, type StatusRecord, statusFromCore } from '../store/types.ts'
import { buildEnvelope } from '../trust/envelope-signing.ts'
import type { Roster } from '../trust/roster.ts'

/** A message as a local client submits it, already validated for shape by the API. */
export interface Submission {
  to: string
  service: string
  payload: Uint8Array
  priority: Priority
  /** Time-to-live in ms; the configured default when absent. */
  ttlMs?: number
  expectReply?: boolean
}

export interface OutboxOptions {
  self: string
  store: CustodyStore
  signer: Ed25519PrivateKey
  roster(): Roster
  /** Throws ROSTER_EXPIRED once the roster is past valid-until plus grace. */
  assertRosterUsable(): void
  limits: { maxPayload: number; defaultTtl: number; maxTtl: number; maxHops: number }
  onQueued(dst: string): void
  /** Called for every accepted message, so the expiry watch can track it. */
  onAccepted(record: StatusRecord): void
  metrics?: Metrics
}

/**
 * Where local clients' messages enter custody: checked against the roster,
 * sealed for the destination, signed, and fsynced before the caller hears 202.
 */
export class Outbox {
  readonly #o: OutboxOptions
  #closed = false

  constructor(options: OutboxOptions) {
    this.#o = options
  }

  /** Refuse new submissions from now on (shutdown). */
  close(): void {
    this.#closed = true
  }

  async submit(sub: Submission): Promise<StatusRecord> {
    const record = await this.#accept(sub).catch((err: unknown) => {
      if (err instanceof LifelineError) this.#o.metrics?.rejected.inc({ reason: err.code })
      throw err
    })
    this.#o.metrics?.accepted.inc({ priority: sub.priority })
    this.#o.onAccepted(record)
    this.#o.onQueued(sub.to)
    return record
  }

  async #accept(sub: Submission): Promise<StatusRecord> {
    const { limits, self } = this.#o
    if (this.#closed) throw new LifelineError('SHUTTING_DOWN', 'the gateway is shutting down')
    this.#o.assertRosterUsable()
    const roster = this.#o.roster()
    if (sub.to === self) {
      throw new LifelineError(
        'UNKNOWN_DESTINATION',
        `${self} is this gateway; call the service directly`,
      )
    }
    if (roster.member(sub.to) === undefined) {
      throw new LifelineError('UNKNOWN_DESTINATION', `${sub.to} is not a member of the roster`, {
        details: { to: sub.to, rosterVersion: roster.version },
      })
    }
    if (!roster.hasService(sub.to, sub.service)) {
      throw new LifelineError('UNKNOWN_SERVICE', `${sub.to} offers no service ${sub.service}`)
    }
    if (!roster.mayCall(self, sub.to, sub.service)) {
      throw new LifelineError('FORBIDDEN', `${self} may not call ${sub.to}/${sub.service}`)
    }
    if (sub.payload.length > limits.maxPayload) {
      throw new LifelineError(
        'PAYLOAD_TOO_LARGE',
        `payload is ${sub.payload.length} bytes; the limit is ${limits.maxPayload}`,
        { details: { bytes: sub.payload.length, limit: limits.maxPayload } },
      )
    }
    const ttl = sub.ttlMs ?? limits.defaultTtl
    if (ttl <= 0 || ttl > limits.maxTtl) {
      throw new LifelineError('BAD_REQUEST', `ttl must be between 1 ms and ${limits.maxTtl} ms`)
    }
    const now = Date.now()
    const env = await buildEnvelope(
      {
        kind: 'message',
        src: self,
        dst: sub.to,
        service: sub.service,
        priority: sub.priority,
        createdAt: now,
        expiresAt: now + ttl,
        ...(sub.expectReply ? { expectReply: true } : {}),
      },
      sub.payload,
      {
        signer: this.#o.signer,
        recipientSealingKey: roster.sealingKey(sub.to),
        maxHops: limits.maxHops,
      },
    )
    const record = statusFromCore(env.core, now)
    await this.#o.store.accept(env, 'outbound', record)
    return record
  }
}
