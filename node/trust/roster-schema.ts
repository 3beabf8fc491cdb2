import { peerIdFromString } from '@libp2p/peer-id'
import { z } from 'zod'
import { LifelineError } from '../core/errors.ts'

/**
 * The roster as signed by the federation authority. The schema is strict (no
 * unknown keys, no defaults, no transforms), so what it accepts is exactly
 * what was signed. Limits keep a hostile roster from costing much to check.
 */

const NAME = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$/
const SERVICE = /^[A-Za-z0-9._-]{1,128}$/
const GROUP = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/

const memberName = z.string().regex(NAME, 'expected a member name such as ee/gov/70000001/records')

/** A libp2p Ed25519 peer id in its canonical base58 string form. */
const peerIdString = z.string().refine(isCanonicalEd25519PeerId, {
  message: 'expected an Ed25519 libp2p peer id such as 12D3KooW...',
})

/** Base64 of exactly 32 bytes, in canonical form (so equal keys are equal strings). */
export const base64Key32 = z.string().refine((s) => isCanonicalBase64(s, 32), {
  message: 'expected base64 of a 32-byte key',
})

const rosterService = z.strictObject({
  /** Service name callers address. */
  name: z.string().regex(SERVICE, 'expected a service name such as records'),
  /** Who may call it: member names, `@group` names, or `*` for every member. */
  allow: z.array(z.string().min(1).max(129)).max(10_000),
})

export const rosterMemberSchema = z.strictObject({
  /** Human name, `agency/subsystem` style; what envelopes use as source and destination. */
  name: memberName,
  /** The gateway's libp2p peer id; its key signs this member's envelopes. */
  peerId: peerIdString,
  /** Base64 of the gateway's raw X25519 public key that payloads are sealed for. */
  encryptionKey: base64Key32,
  /** Multiaddrs where the gateway can be dialled. */
  addresses: z.array(z.string().regex(/^\//, 'expected a multiaddr').max(512)).max(32),
  services: z.array(rosterService).max(256),
})

export const groupsSchema = z.record(
  z.string().regex(GROUP, 'expected a group name such as health'),
  z.array(memberName).max(10_000),
)

/** The part of a roster an authority edits: members, services, groups. */
export const rosterBodySchema = z.strictObject({
  /** Name of the federation; gateways of different federations never talk. */
  federation: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'expected a federation name'),
  members: z.array(rosterMemberSchema).max(10_000),
  groups: groupsSchema,
})

const isoTime = z.iso.datetime({ offset: true })

export const rosterDocumentSchema = z
  .strictObject({
    ...rosterBodySchema.shape,
    /** Grows by one with each signed roster; a gateway never goes back to a lower one. */
    version: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
    issuedAt: isoTime,
    validUntil: isoTime,
  })
  .superRefine((doc, ctx) => {
    if (Date.parse(doc.validUntil) <= Date.parse(doc.issuedAt)) {
      ctx.addIssue({ code: 'custom', path: ['validUntil'], message: 'must be after issuedAt' })
    }
    checkReferences(doc, ctx)
  })

export const signedRosterSchema = z.strictObject({
  roster: rosterDocumentSchema,
  /** Base64 Ed25519 signature of the authority over the roster's canonical encoding. */
  signature: z.string().refine((s) => isCanonicalBase64(s, 64), {
    message: 'expected a base64 Ed25519 signature (64 bytes)',
  }),
})

export type RosterService = z.infer<typeof rosterService>
export type RosterMember = z.infer<typeof rosterMemberSchema>
export type RosterBody = z.infer<typeof rosterBodySchema>
export type RosterDocument = z.infer<typeof rosterDocumentSchema>
export type SignedRoster = z.infer<typeof signedRosterSchema>

/** Unique names and peer ids; every name a service or group mentions is a member or a group. */
export function checkReferences(doc: RosterBody, ctx: z.RefinementCtx): void {
  const names = new Set<string>()
  const peers = new Set<string>()
  doc.members.forEach((m, i) => {
    if (names.has(m.name)) issue(ctx, ['members', i, 'name'], `duplicate member ${m.name}`)
    if (peers.has(m.peerId)) issue(ctx, ['members', i, 'peerId'], 'peer id used twice')
    names.add(m.name)
    peers.add(m.peerId)
  })
  for (const [group, list] of Object.entries(doc.groups)) {
    list.forEach((name, j) => {
      if (!names.has(name)) issue(ctx, ['groups', group, j], `unknown member ${name}`)
    })
  }
  doc.members.forEach((m, i) => {
    const services = new Set<string>()
    m.services.forEach((s, j) => {
      const at = ['members', i, 'services', j]
      if (services.has(s.name)) issue(ctx, [...at, 'name'], `duplicate service ${s.name}`)
      services.add(s.name)
      s.allow.forEach((ref, k) => {
        if (!isKnownCaller(ref, names, doc.groups)) {
          issue(ctx, [...at, 'allow', k], `${ref} is neither a member, a @group nor *`)
        }
      })
    })
  })
}

function isKnownCaller(ref: string, names: Set<string>, groups: Record<string, string[]>) {
  if (ref === '*') return true
  if (ref.startsWith('@')) return Object.hasOwn(groups, ref.slice(1))
  return names.has(ref)
}

function issue(ctx: z.RefinementCtx, path: Array<string | number>, message: string): void {
  ctx.addIssue({ code: 'custom', path, message })
}

function isCanonicalEd25519PeerId(value: string): boolean {
  try {
    const id = peerIdFromString(value)
    return id.type === 'Ed25519' && id.toString() === value
  } catch {
    return false
  }
}

function isCanonicalBase64(value: string, bytes: number): boolean {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(value)) return false
  const decoded = Buffer.from(value, 'base64')
  return decoded.length === bytes && decoded.toString('base64') === value
}

/** Parses `raw` with `schema`, or throws `code` listing every problem by its path. */
export function parseOrThrow<T>(
  schema: z.ZodType<T>,
  raw: unknown,
  what: string,
  code: 'DECODE_FAILED' | 'INVALID_CONFIG' = 'DECODE_FAILED',
): T {
  const result = schema.safeParse(raw)
  if (result.success) return result.data
  const problems = result.error.issues.slice(0, 20).map((i) => {
    const path = i.path.length === 0 ? '(top level)' : i.path.map(String).join('.')
    return `${path}: ${i.message}`
  })
  throw new LifelineError(code, `invalid ${what}: ${problems.join('; ')}`, {
    details: { problems },
  })
}
