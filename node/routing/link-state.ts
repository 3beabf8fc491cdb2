import type { PrivateKey } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { z } from 'zod'
import { LifelineError } from '../core/errors.ts'

/** One link as its origin measured it. */
export interface LinkStateLink {
  /** Roster name of the neighbour. */
  peer: string
  /** Routing cost of the link from the origin towards `peer` (see `linkCost`). */
  cost: number
  /** Smoothed probe round-trip time in milliseconds. */
  rttMs: number
  /** Fraction of recent probes unanswered, 0 to 1. */
  loss: number
}

/**
 * What a gateway floods about itself: its links that are up and their costs.
 * `seq` orders records of one origin; a record replaces another only when its
 * `seq` is higher. Records carry no expiry of their own: receivers drop them
 * `maxAge` after `issuedAt`, so an origin re-issues well within that.
 */
export interface LinkStateRecord {
  /** Roster name of the origin gateway. */
  origin: string
  /** The origin's libp2p peer id; its key signs the record. */
  peerId: string
  seq: number
  /** Unix milliseconds at the origin. */
  issuedAt: number
  links: LinkStateLink[]
}

const MAGIC = 0x53 // 'S'
const VERSION = 1
/** Largest encoded record accepted: a few hundred links fit easily. */
export const MAX_LINK_STATE_BYTES = 64 * 1024
const MAX_LINKS = 1024
const SIGNING_TAG = new TextEncoder().encode('lifeline/link-state/v1\n')
const encoder = new TextEncoder()
const decoder = new TextDecoder('utf-8', { fatal: true })

const name = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$/)
const finite = z.number().refine(Number.isFinite, 'must be finite')
const recordSchema = z.strictObject({
  origin: name,
  peerId: z.string().min(1).max(128),
  seq: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  issuedAt: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  links: z
    .array(
      z.strictObject({
        peer: name,
        cost: finite.nonnegative(),
        rttMs: finite.nonnegative(),
        loss: finite.min(0).max(1),
      }),
    )
    .max(MAX_LINKS),
})

/**
 * The canonical body: JSON with keys in a fixed order and links sorted by
 * peer, so a record has exactly one encoding and equal records equal bytes.
 */
export function encodeLinkStateBody(record: LinkStateRecord): Uint8Array {
  const links = [...record.links]
    .sort((a, b) => (a.peer < b.peer ? -1 : a.peer > b.peer ? 1 : 0))
    .map((l) => ({ peer: l.peer, cost: l.cost, rttMs: l.rttMs, loss: l.loss }))
  const { origin, peerId, seq, issuedAt } = record
  return encoder.encode(JSON.stringify({ origin, peerId, seq, issuedAt, links }))
}

function signingBytes(body: Uint8Array): Uint8Array {
  const out = new Uint8Array(SIGNING_TAG.length + body.length)
  out.set(SIGNING_TAG, 0)
  out.set(body, SIGNING_TAG.length)
  return out
}

/** Wire format: magic, version, a 2-byte signature length, the signature, then the body. */
export async function signLinkState(record: LinkStateRecord, key: PrivateKey): Promise<Uint8Array> {
  const body = encodeLinkStateBody(record)
  const sig = await key.sign(signingBytes(body))
  const out = new Uint8Array(4 + sig.length + body.length)
  out[0] = MAGIC
  out[1] = VERSION
  new DataView(out.buffer).setUint16(2, sig.length)
  out.set(sig, 4)
  out.set(body, 4 + sig.length)
  return out
}

/** A record parsed from the wire, its signature not yet checked. */
export interface DecodedLinkState {
  record: LinkStateRecord
  body: Uint8Array
  sig: Uint8Array
}

function fail(reason: string): never {
  throw new LifelineError('DECODE_FAILED', `malformed link-state record: ${reason}`)
}

/** Parses and validates the structure; throws DECODE_FAILED on anything off. */
export function decodeLinkState(bytes: Uint8Array): DecodedLinkState {
  if (bytes.length > MAX_LINK_STATE_BYTES) fail(`${bytes.length} bytes is too large`)
  if (bytes.length < 4 || bytes[0] !== MAGIC) fail('bad magic byte')
  if (bytes[1] !== VERSION) fail(`unsupported version ${bytes[1]}`)
  const sigLength = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint16(2)
  if (4 + sigLength > bytes.length) fail('truncated signature')
  const sig = bytes.slice(4, 4 + sigLength)
  const body = bytes.slice(4 + sigLength)
  let raw: unknown
  try {
    raw = JSON.parse(decoder.decode(body))
  } catch {
    fail('body is not UTF-8 JSON')
  }
  const parsed = recordSchema.safeParse(raw)
  if (!parsed.success) fail(parsed.error.issues[0]?.message ?? 'invalid body')
  const record = parsed.data
  // One encoding per record: otherwise equal records could carry different bytes.
  if (!sameBytes(encodeLinkStateBody(record), body)) fail('body is not in canonical form')
  if (new Set(record.links.map((l) => l.peer)).size !== record.links.length) {
    fail('a peer is listed twice')
  }
  return { record, body, sig }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/** Whether the signature is by the key behind `record.peerId` (an Ed25519 peer id). */
export async function verifyLinkState(decoded: DecodedLinkState): Promise<boolean> {
  let publicKey: ReturnType<typeof peerIdFromString>['publicKey']
  try {
    publicKey = peerIdFromString(decoded.record.peerId).publicKey
  } catch {
    return false
  }
  if (publicKey === undefined) return false
  return await publicKey.verify(signingBytes(decoded.body), decoded.sig)
}

/**
 * Issues this gateway's own records. Sequence numbers are seeded from the
 * wall clock in milliseconds rather than persisted: a restarted gateway's
 * first record then outranks everything it issued before without a disk
 * write, as long as its clock has not stepped back and it issued fewer than
 * one record per millisecond (it issues a few per second at most). Should the
 * clock step back, peers treat its records as stale until the old ones age
 * out after `maxAge`, and routing heals by itself.
 */
export class LinkStateIssuer {
  readonly #origin: string
  readonly #peerId: string
  readonly #key: PrivateKey
  #lastSeq = 0

  constructor(init: { origin: string; peerId: string; privateKey: PrivateKey }) {
    this.#origin = init.origin
    this.#peerId = init.peerId
    this.#key = init.privateKey
  }

  /** A newly signed record of `links`, with a sequence number above every earlier one. */
  async issue(
    links: LinkStateLink[],
    now = Date.now(),
  ): Promise<{ record: LinkStateRecord; bytes: Uint8Array }> {
    const seq = Math.max(this.#lastSeq + 1, Math.floor(now))
    this.#lastSeq = seq
    const record: LinkStateRecord = {
      origin: this.#origin,
      peerId: this.#peerId,
      seq,
      issuedAt: Math.floor(now),
      links: links.map((l) => ({ ...l })),
    }
    return { record, bytes: await signLinkState(record, this.#key) }
  }
}
