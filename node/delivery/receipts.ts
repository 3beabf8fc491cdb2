import type { Ed25519PrivateKey } from '@libp2p/interface'
import { type Envelope, encodeEnvelope } from '../core/envelope.ts'
import type { Logger } from '../core/log.ts'
import type { Metrics } from '../metrics/catalogue.ts'
import type { CustodyStore } from '../store/types.ts'
import { buildEnvelope, openEnvelope } from '../trust/envelope-signing.ts'
import { decodeReceiptBody, encodeReceiptBody, type ReceiptBody } from '../trust/receipt-body.ts'
import type { Roster } from '../trust/roster.ts'

export interface ReceiptSigner {
  self: string
  signer: Ed25519PrivateKey
  roster(): Roster
  maxHops: number
}

/**
 * A receipt (or, for a synchronous call, a reply) for `msg`, signed by this
 * gateway and sealed for the sender. It lives as long as the message would have,
 * plus a margin so a late receipt still reaches a sender waiting on its status.
 */
export async function buildReceipt(
  msg: Envelope,
  body: ReceiptBody,
  s: ReceiptSigner,
): Promise<Envelope> {
  const now = Date.now()
  return buildEnvelope(
    {
      kind: body.reply === undefined ? 'receipt' : 'reply',
      src: s.self,
      dst: msg.core.src,
      service: '',
      priority: msg.core.priority === 'bulk' ? 'normal' : msg.core.priority,
      createdAt: now,
      expiresAt: Math.max(msg.core.expiresAt, now) + RECEIPT_MARGIN_MS,
      ref: msg.core.id,
    },
    encodeReceiptBody(body),
    {
      signer: s.signer,
      recipientSealingKey: s.roster().sealingKey(msg.core.src),
      maxHops: s.maxHops,
    },
  )
}

const RECEIPT_MARGIN_MS = 24 * 3_600_000

/** Resolves sync-call waiters when a reply for their message arrives. */
export type ReplyListener = (messageId: string, body: ReceiptBody) => void

/**
 * The sender's side: a verified receipt updates the status record of the
 * message it names, provided it was signed by that message's destination.
 */
export class ReceiptInbox {
  readonly #store: CustodyStore
  readonly #sealingSecret: Uint8Array
  readonly #log: Logger
  readonly #metrics: Metrics | undefined
  readonly #listeners = new Set<ReplyListener>()

  constructor(store: CustodyStore, sealingSecret: Uint8Array, logger: Logger, metrics?: Metrics) {
    this.#store = store
    this.#sealingSecret = sealingSecret
    this.#log = logger
    this.#metrics = metrics
  }

  listen(listener: ReplyListener): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  async accept(env: Envelope): Promise<void> {
    const body = decodeReceiptBody(openEnvelope(env, this.#sealingSecret))
    const record = await this.#store.getStatus(body.messageId)
    if (record === undefined || body.messageId !== env.core.ref) {
      this.#log.warn({ ref: env.core.ref, from: env.core.src }, 'receipt for an unknown message')
      return
    }
    if (record.dst !== env.core.src) {
      this.#log.warn({ id: record.id, from: env.core.src }, 'receipt not signed by the destination')
      this.#metrics?.rejected.inc({ reason: 'FORGED_RECEIPT' })
      return
    }
    if (record.status === 'delivered' || record.status === 'rejected') return
    const delivered = body.outcome === 'delivered'
    await this.#store.updateStatus(record.id, {
      status: delivered ? 'delivered' : 'rejected',
      updatedAt: Date.now(),
      ...(body.reason === undefined ? {} : { reason: body.reason }),
      receipt: {
        outcome: body.outcome,
        at: body.at,
        ...(body.reason === undefined ? {} : { reason: body.reason }),
        // The whole signed envelope: anyone with the roster can check it later.
        envelope: Buffer.from(encodeEnvelope(env)).toString('base64'),
      },
      ...(body.reply === undefined ? {} : { reply: body.reply }),
    })
    this.#metrics?.receipts.inc({ outcome: body.outcome })
    for (const listener of this.#listeners) listener(record.id, body)
  }
}
