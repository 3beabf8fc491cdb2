import { isDeepStrictEqual } from 'node:util'
import type { Ed25519PrivateKey } from '@libp2p/interface'
import {
  type Envelope,
  type EnvelopeCore,
  type EnvelopeKind,
  encodeCore,
  newMessageId,
  type Priority,
  signingBytes,
} from '../core/envelope.ts'
import { LifelineError } from '../core/errors.ts'
import { signEd25519, verifyEd25519 } from './ed25519.ts'
import type { Roster } from './roster.ts'
import { openPayload, sealPayload } from './seal.ts'

export {
  decodeReceiptBody,
  encodeReceiptBody,
  payloadSha256,
  type ReceiptBody,
} from './receipt-body.ts'

/** The fields of a new envelope's core that the caller chooses. */
export interface EnvelopeDraft {
  /** Message id; a fresh time-ordered id when omitted. */
  id?: string
  kind: EnvelopeKind
  src: string
  dst: string
  service: string
  priority: Priority
  createdAt: number
  expiresAt: number
  ref?: string
  expectReply?: boolean
}

export interface BuildEnvelopeOptions {
  /** The source gateway's identity key. */
  signer: Ed25519PrivateKey
  /** The destination's X25519 key from the roster; the payload travels in clear without it. */
  recipientSealingKey?: Uint8Array
  maxHops: number
  /** Path hint for this copy. */
  via?: string[]
  /** Copy number when a message goes over several paths at once. @default 0 */
  copy?: number
}

export interface VerifyEnvelopeOptions {
  /** Unix milliseconds. */
  now: number
  /** How far in the future `createdAt` may be (clock skew between gateways). */
  maxSkewMs: number
  /**
   * Oldest `createdAt` accepted. Must cover the longest time a message may
   * legitimately wait in custody (the maximum time-to-live), or late messages
   * would be refused.
   */
  maxAgeMs: number
}

/**
 * Builds a signed envelope: the core is encoded once, the payload is sealed
 * with those exact bytes as associated data (so a sealed payload cannot be
 * moved under another core), and the source signs core and payload together.
 */
export async function buildEnvelope(
  draft: EnvelopeDraft,
  plaintext: Uint8Array,
  opts: BuildEnvelopeOptions,
): Promise<Envelope> {
  const core: EnvelopeCore = {
    v: 1,
    id: draft.id ?? newMessageId(draft.createdAt),
    kind: draft.kind,
    src: draft.src,
    dst: draft.dst,
    service: draft.service,
    priority: draft.priority,
    createdAt: draft.createdAt,
    expiresAt: draft.expiresAt,
    sealed: opts.recipientSealingKey !== undefined,
  }
  if (draft.ref !== undefined) core.ref = draft.ref
  if (draft.expectReply !== undefined) core.expectReply = draft.expectReply
  const coreBytes = encodeCore(core)
  const payload =
    opts.recipientSealingKey === undefined
      ? plaintext.slice()
      : sealPayload(plaintext, opts.recipientSealingKey, coreBytes)
  const sig = signEd25519(opts.signer, signingBytes(coreBytes, payload))
  const route: Envelope['route'] = {
    hops: 0,
    maxHops: opts.maxHops,
    visited: [draft.src],
    copy: opts.copy ?? 0,
  }
  if (opts.via !== undefined) route.via = [...opts.via]
  return { core, coreBytes, route, sig, payload }
}

/**
 * Checks that `env` really comes from roster member `core.src` and is fresh.
 * Throws `FORBIDDEN` for an unknown source, `BAD_SIGNATURE` when the core or
 * payload was altered or another key signed, `REPLAYED` when `createdAt` lies
 * outside the accepted window, and `DECODE_FAILED` for an inconsistent core.
 * The signature is checked before the clock, so a forgery is always reported
 * as one.
 */
export async function verifyEnvelope(
  env: Envelope,
  roster: Roster,
  opts: VerifyEnvelopeOptions,
): Promise<void> {
  const { core } = env
  const key = roster.signingKey(core.src)
  if (key === undefined) {
    throw reject(
      'FORBIDDEN',
      env,
      `source ${core.src} is not a member of roster v${roster.version}`,
    )
  }
  if (!coreMatchesBytes(core, env.coreBytes)) {
    throw reject('BAD_SIGNATURE', env, 'core differs from its signed bytes')
  }
  if (
    env.sig.length !== 64 ||
    !verifyEd25519(key, signingBytes(env.coreBytes, env.payload), env.sig)
  ) {
    throw reject('BAD_SIGNATURE', env, `signature does not verify with ${core.src}'s key`)
  }
  if (core.expiresAt < core.createdAt) {
    throw reject('DECODE_FAILED', env, 'expiresAt is before createdAt')
  }
  if ((core.kind === 'receipt' || core.kind === 'reply') && core.ref === undefined) {
    throw reject('DECODE_FAILED', env, `a ${core.kind} must name the message it answers (ref)`)
  }
  if (core.createdAt > opts.now + opts.maxSkewMs) {
    const ahead = core.createdAt - opts.now
    throw reject(
      'REPLAYED',
      env,
      `created ${ahead} ms in the future (skew limit ${opts.maxSkewMs} ms)`,
    )
  }
  if (core.createdAt < opts.now - opts.maxAgeMs) {
    const age = opts.now - core.createdAt
    throw reject('REPLAYED', env, `created ${age} ms ago, older than ${opts.maxAgeMs} ms`)
  }
}

/** The plaintext payload: opened with this gateway's sealing secret when sealed. */
export function openEnvelope(env: Envelope, sealingSecret: Uint8Array): Uint8Array {
  if (!env.core.sealed) return env.payload
  return openPayload(env.payload, sealingSecret, env.coreBytes)
}

function coreMatchesBytes(core: EnvelopeCore, coreBytes: Uint8Array): boolean {
  let signed: unknown
  try {
    signed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(coreBytes))
  } catch {
    return false
  }
  // A JSON round trip drops undefined optional fields, as the encoder does.
  return isDeepStrictEqual(JSON.parse(JSON.stringify(core)), signed)
}

function reject(code: LifelineError['code'], env: Envelope, why: string): LifelineError {
  return new LifelineError(code, `envelope ${env.core.id} from ${env.core.src}: ${why}`, {
    details: { id: env.core.id, src: env.core.src },
  })
}
