import type { Ed25519PublicKey } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { ed25519 } from '@noble/curves/ed25519.js'
import { LifelineError } from '../core/errors.ts'
import { canonicalBytes } from './canonical-json.ts'
import {
  parseOrThrow,
  type RosterDocument,
  type RosterMember,
  rosterDocumentSchema,
  type SignedRoster,
  signedRosterSchema,
} from './roster-schema.ts'

export type {
  RosterBody,
  RosterDocument,
  RosterMember,
  RosterService,
  SignedRoster,
} from './roster-schema.ts'

/** Where a roster stands against the clock; see {@link Roster.state}. */
export type RosterState = 'valid' | 'grace' | 'expired'

/** Domain tag so an authority signature over a roster can never pass for anything else. */
const ROSTER_TAG = new TextEncoder().encode('lifeline/roster/v1\n')

/** The exact bytes the authority signs: a domain tag and the roster's canonical JSON. */
export function rosterSigningBytes(doc: RosterDocument): Uint8Array {
  const body = canonicalBytes(doc)
  const out = new Uint8Array(ROSTER_TAG.length + body.length)
  out.set(ROSTER_TAG, 0)
  out.set(body, ROSTER_TAG.length)
  return out
}

/**
 * Signs a roster with the authority's 32-byte Ed25519 secret. The document is
 * validated first (`INVALID_CONFIG` when it is not one gateways would accept).
 */
export function signRoster(doc: RosterDocument, authoritySecret: Uint8Array): SignedRoster {
  const roster = parseOrThrow(rosterDocumentSchema, doc, 'roster', 'INVALID_CONFIG')
  const signature = ed25519.sign(rosterSigningBytes(roster), authoritySecret)
  return { roster, signature: Buffer.from(signature).toString('base64') }
}

/**
 * Parses a signed roster without checking its signature (for inspection and for
 * reading the version of a previous roster). Throws `DECODE_FAILED`.
 */
export function parseSignedRoster(input: string | Uint8Array): SignedRoster {
  let raw: unknown
  try {
    const text =
      typeof input === 'string' ? input : new TextDecoder('utf-8', { fatal: true }).decode(input)
    raw = JSON.parse(text)
  } catch {
    throw new LifelineError('DECODE_FAILED', 'invalid signed roster: not UTF-8 JSON')
  }
  return parseOrThrow(signedRosterSchema, raw, 'signed roster')
}

/**
 * Parses and verifies a signed roster against the authority's public key.
 * Throws `DECODE_FAILED` (with the offending path) for a malformed document and
 * `BAD_SIGNATURE` when the authority did not sign exactly this roster.
 */
export function verifyRoster(input: string | Uint8Array, authorityPublicKey: Uint8Array): Roster {
  const signed = parseSignedRoster(input)
  const signature = Buffer.from(signed.signature, 'base64')
  let ok = false
  try {
    // Strict RFC 8032 decoding: one roster, one valid signature encoding.
    ok = ed25519.verify(signature, rosterSigningBytes(signed.roster), authorityPublicKey, {
      zip215: false,
    })
  } catch {
    ok = false
  }
  if (!ok) {
    throw new LifelineError(
      'BAD_SIGNATURE',
      `roster ${signed.roster.federation} v${signed.roster.version} is not signed by the authority key`,
    )
  }
  return new Roster(signed)
}

interface ServiceAccess {
  everyone: boolean
  callers: Set<string>
}

/**
 * A verified roster: who is in the federation, where they are, what they offer
 * and who may call it. Build one with {@link verifyRoster}; the constructor
 * trusts its input.
 */
export class Roster {
  readonly signed: SignedRoster
  readonly federation: string
  readonly version: number
  /** Unix milliseconds. */
  readonly issuedAt: number
  /** Unix milliseconds. */
  readonly validUntil: number
  readonly #byName = new Map<string, RosterMember>()
  readonly #byPeer = new Map<string, RosterMember>()
  readonly #access = new Map<string, ServiceAccess>()
  readonly #signingKeys = new Map<string, Ed25519PublicKey>()

  constructor(signed: SignedRoster) {
    const doc = signed.roster
    this.signed = signed
    this.federation = doc.federation
    this.version = doc.version
    this.issuedAt = Date.parse(doc.issuedAt)
    this.validUntil = Date.parse(doc.validUntil)
    for (const m of doc.members) {
      this.#byName.set(m.name, m)
      this.#byPeer.set(m.peerId, m)
      for (const s of m.services) this.#access.set(accessKey(m.name, s.name), expand(s.allow, doc))
    }
  }

  /** The signed document as issued. */
  get document(): RosterDocument {
    return this.signed.roster
  }

  /** The member with roster name `name`. */
  member(name: string): RosterMember | undefined {
    return this.#byName.get(name)
  }

  /** The member whose gateway has this libp2p peer id (string form). */
  memberByPeerId(peerId: string): RosterMember | undefined {
    return this.#byPeer.get(peerId)
  }

  /** Every member, in roster order. */
  members(): RosterMember[] {
    return [...this.#byName.values()]
  }

  /** Whether a connecting peer belongs to the federation (what the connection gater asks). */
  isMemberPeer(peerId: string): boolean {
    return this.#byPeer.has(peerId)
  }

  /** Whether `member` offers `service`. */
  hasService(member: string, service: string): boolean {
    return this.#access.has(accessKey(member, service))
  }

  /** Whether member `caller` may send to `service` at member `target`; groups are expanded. */
  mayCall(caller: string, target: string, service: string): boolean {
    if (!this.#byName.has(caller)) return false
    const access = this.#access.get(accessKey(target, service))
    return access !== undefined && (access.everyone || access.callers.has(caller))
  }

  /** Raw X25519 key payloads for `name` are sealed with; `UNKNOWN_DESTINATION` when absent. */
  sealingKey(name: string): Uint8Array {
    const m = this.#byName.get(name)
    if (m === undefined) {
      throw new LifelineError('UNKNOWN_DESTINATION', `${name} is not a member of the roster`)
    }
    return new Uint8Array(Buffer.from(m.encryptionKey, 'base64'))
  }

  /** The Ed25519 key that signs `name`'s envelopes, or undefined for a non-member. */
  signingKey(name: string): Ed25519PublicKey | undefined {
    const cached = this.#signingKeys.get(name)
    if (cached !== undefined) return cached
    const m = this.#byName.get(name)
    if (m === undefined) return undefined
    // The schema admitted only Ed25519 peer ids, which embed their public key.
    const key = peerIdFromString(m.peerId).publicKey as Ed25519PublicKey
    this.#signingKeys.set(name, key)
    return key
  }

  /**
   * `valid` until `validUntil`; then `grace` for `graceMs` (gateways keep
   * working but must say so loudly); `expired` after that.
   */
  state(now: number, graceMs: number): RosterState {
    if (now <= this.validUntil) return 'valid'
    if (now <= this.validUntil + graceMs) return 'grace'
    return 'expired'
  }

  /** Milliseconds since the authority issued this roster. */
  age(now: number): number {
    return now - this.issuedAt
  }

  /** Whether this roster should replace `other`: same federation and a higher version. */
  isNewerThan(other: Roster): boolean {
    return this.federation === other.federation && this.version > other.version
  }
}

function accessKey(member: string, service: string): string {
  return `${member}\n${service}`
}

function expand(allow: string[], doc: RosterDocument): ServiceAccess {
  const access: ServiceAccess = { everyone: false, callers: new Set() }
  for (const ref of allow) {
    if (ref === '*') access.everyone = true
    else if (ref.startsWith('@'))
      for (const n of doc.groups[ref.slice(1)] ?? []) access.callers.add(n)
    else access.callers.add(ref)
  }
  return access
}
