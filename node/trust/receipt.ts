import type { Ed25519PrivateKey } from '@libp2p/interface'
import type { Envelope } from '../core/envelope.ts'
import { LifelineError } from '../core/errors.ts'
import {
  buildEnvelope,
  openEnvelope,
  type VerifyEnvelopeOptions,
  verifyEnvelope,
} from './envelope-signing.ts'
import {
  decodeReceiptBody,
  encodeReceiptBody,
  payloadSha256,
  type ReceiptBody,
} from './receipt-body.ts'
import type { Roster } from './roster.ts'

/** Shortest time a receipt has to travel back, even for a message about to expire. */
export const DEFAULT_RECEIPT_TTL_MS = 24 * 60 * 60 * 1000

export interface BuildReceiptOptions {
  /** The destination gateway's identity key (the receipt's signer). */
  signer: Ed25519PrivateKey
  /** Unix milliseconds; the receipt's `createdAt`. */
  now: number
  maxHops: number
  /** @default the later of the message's expiry and `now + DEFAULT_RECEIPT_TTL_MS` */
  expiresAt?: number
  /** The original sender's sealing key, to keep a reply body from relays. */
  recipientSealingKey?: Uint8Array
}

/**
 * Builds the receipt (or, when `body.reply` is set, the reply) for `original`,
 * signed by its destination and addressed back to its source. The body names
 * the message and the hash of the payload bytes received, so the receipt
 * proves what was delivered.
 */
export function buildReceipt(
  original: Envelope,
  body: Omit<ReceiptBody, 'messageId' | 'payloadSha256'>,
  opts: BuildReceiptOptions,
): Promise<Envelope> {
  const { core } = original
  const full: ReceiptBody = { ...body, messageId: core.id, payloadSha256: payloadSha256(original) }
  const expiresAt = opts.expiresAt ?? Math.max(core.expiresAt, opts.now + DEFAULT_RECEIPT_TTL_MS)
  const draft = {
    kind: body.reply === undefined ? ('receipt' as const) : ('reply' as const),
    src: core.dst,
    dst: core.src,
    service: '',
    priority: core.priority,
    createdAt: opts.now,
    expiresAt,
    ref: core.id,
  }
  const sealing =
    opts.recipientSealingKey === undefined ? {} : { recipientSealingKey: opts.recipientSealingKey }
  return buildEnvelope(draft, encodeReceiptBody(full), {
    signer: opts.signer,
    maxHops: opts.maxHops,
    ...sealing,
  })
}

/** What the sender knows about the message a receipt claims to answer. */
export interface ExpectedReceipt {
  /** The message id. */
  id: string
  /** Roster name the message was sent to: the only member whose receipt counts. */
  dst: string
  /** Hex SHA-256 of the payload as sent; checked when given. */
  payloadSha256?: string
}

/**
 * Verifies a receipt envelope as {@link verifyEnvelope} does, then that it was
 * signed by the message's destination, answers that message, and (when the
 * hash is known) covers the payload bytes that were sent. Returns its body.
 */
export async function verifyReceipt(
  receipt: Envelope,
  expected: ExpectedReceipt,
  roster: Roster,
  opts: VerifyEnvelopeOptions & { sealingSecret?: Uint8Array },
): Promise<ReceiptBody> {
  await verifyEnvelope(receipt, roster, opts)
  const { core } = receipt
  if (core.kind === 'message') fail('DECODE_FAILED', receipt, 'it is a message, not a receipt')
  if (core.src !== expected.dst) {
    fail('BAD_SIGNATURE', receipt, `signed by ${core.src}, but the message went to ${expected.dst}`)
  }
  if (core.ref !== expected.id) fail('BAD_SIGNATURE', receipt, `answers ${core.ref}`)
  if (core.sealed && opts.sealingSecret === undefined) {
    fail('DECRYPT_FAILED', receipt, 'it is sealed and no sealing secret was given')
  }
  const body = decodeReceiptBody(openEnvelope(receipt, opts.sealingSecret ?? new Uint8Array()))
  if (body.messageId !== expected.id) fail('BAD_SIGNATURE', receipt, 'body names another message')
  if (expected.payloadSha256 !== undefined && body.payloadSha256 !== expected.payloadSha256) {
    fail('BAD_SIGNATURE', receipt, 'it covers different payload bytes than were sent')
  }
  if (core.kind === 'reply' && body.reply === undefined) {
    fail('DECODE_FAILED', receipt, 'a reply without the service answer')
  }
  return body
}

function fail(code: LifelineError['code'], receipt: Envelope, why: string): never {
  throw new LifelineError(code, `receipt ${receipt.core.id} for ${receipt.core.ref}: ${why}`, {
    details: { id: receipt.core.id, ref: receipt.core.ref },
  })
}
