import type { Ed25519PrivateKey } from '@libp2p/interface'
import type { Envelope, EnvelopeKind } from '../../../node/core/envelope.ts'
import { buildEnvelope } from '../../../node/trust/envelope-signing.ts'
import { encodeReceiptBody } from '../../../node/trust/receipt-body.ts'

/** What a hand-built envelope says about itself; the rest has message defaults. */
export interface ForgeDraft {
  src: string
  dst: string
  kind?: EnvelopeKind
  service?: string
  /** @default now */
  createdAt?: number
  /** @default createdAt plus one hour */
  expiresAt?: number
  ref?: string
}

/**
 * A signed envelope built outside any gateway, the way a member gone bad
 * would: `signer` signs whatever `draft` claims, and the payload is sealed
 * for `sealFor` when given.
 */
export function forgeEnvelope(
  signer: Ed25519PrivateKey,
  draft: ForgeDraft,
  payload: Uint8Array,
  sealFor?: Uint8Array,
): Promise<Envelope> {
  const createdAt = draft.createdAt ?? Date.now()
  return buildEnvelope(
    {
      kind: draft.kind ?? 'message',
      src: draft.src,
      dst: draft.dst,
      service: draft.service ?? (draft.kind === undefined ? 'inbox' : ''),
      priority: 'normal',
      createdAt,
      expiresAt: draft.expiresAt ?? createdAt + 3_600_000,
      ...(draft.ref === undefined ? {} : { ref: draft.ref }),
    },
    payload,
    { signer, maxHops: 8, ...(sealFor === undefined ? {} : { recipientSealingKey: sealFor }) },
  )
}

/** A receipt claiming `messageId` was delivered, signed by `signer` in the name of `src`. */
export function forgeReceipt(
  signer: Ed25519PrivateKey,
  src: string,
  dst: string,
  messageId: string,
): Promise<Envelope> {
  const body = encodeReceiptBody({
    messageId,
    outcome: 'delivered',
    at: Date.now(),
    payloadSha256: '0'.repeat(64),
  })
  return forgeEnvelope(signer, { kind: 'receipt', src, dst, ref: messageId }, body)
}

export const text = (value: string): Uint8Array => new TextEncoder().encode(value)
