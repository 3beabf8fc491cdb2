import { sha256 } from '@noble/hashes/sha2.js'
import { bytesToHex } from '@noble/hashes/utils.js'
import { z } from 'zod'
import type { Envelope } from '../core/envelope.ts'
import { isMessageId } from '../core/envelope.ts'
import { LifelineError } from '../core/errors.ts'

const receiptBodySchema = z.strictObject({
  /** The id of the message this receipt answers (equals the receipt's `core.ref`). */
  messageId: z.string().refine(isMessageId, 'expected a message id'),
  /** `delivered`: the destination service accepted it. `rejected`: refused for good. */
  outcome: z.enum(['delivered', 'rejected']),
  /** Why a message was rejected: a stable error code such as `FORBIDDEN`. */
  reason: z.string().max(1024).optional(),
  /** Unix milliseconds at the destination when the outcome was decided. */
  at: z.number().int().nonnegative(),
  /** Hex SHA-256 of the sealed payload as delivered, tying the receipt to those bytes. */
  payloadSha256: z.string().regex(/^[0-9a-f]{64}$/, 'expected 64 lowercase hex characters'),
  /** The service's HTTP answer to a synchronous call. */
  reply: z
    .strictObject({
      status: z.number().int().min(100).max(599),
      contentType: z.string().max(256),
      /** Base64 of the answer's body. */
      body: z.base64(),
    })
    .optional(),
})

/**
 * What a receipt envelope carries: signed by the destination gateway, it
 * proves that the message with these exact payload bytes reached its service
 * (or was refused, and why).
 */
export type ReceiptBody = z.infer<typeof receiptBodySchema>

export function encodeReceiptBody(body: ReceiptBody): Uint8Array {
  const valid = receiptBodySchema.safeParse(body)
  if (!valid.success) {
    throw new LifelineError('BAD_REQUEST', `invalid receipt body: ${valid.error.message}`)
  }
  return new TextEncoder().encode(JSON.stringify(valid.data))
}

/** Parses a receipt body; throws `DECODE_FAILED` naming the offending field. */
export function decodeReceiptBody(bytes: Uint8Array): ReceiptBody {
  let raw: unknown
  try {
    raw = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes))
  } catch {
    throw new LifelineError('DECODE_FAILED', 'invalid receipt body: not UTF-8 JSON')
  }
  const result = receiptBodySchema.safeParse(raw)
  if (!result.success) {
    const first = result.error.issues[0]
    const where = first === undefined ? '' : `${first.path.join('.') || '(top level)'}: `
    throw new LifelineError('DECODE_FAILED', `invalid receipt body: ${where}${first?.message}`)
  }
  return result.data
}

/** Hex SHA-256 of an envelope's payload as it travels (sealed when sealed). */
export function payloadSha256(env: Pick<Envelope, 'payload'>): string {
  return bytesToHex(sha256(env.payload))
}
