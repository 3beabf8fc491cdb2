import { decodeTime, isValid, monotonicFactory } from 'ulid'
import { LifelineError } from './errors.ts'

/** Priority classes, most urgent first. The index is the queue order. */
export const PRIORITIES = ['critical', 'normal', 'bulk'] as const
export type Priority = (typeof PRIORITIES)[number]

/**
 * What an envelope carries: an agency `message`, a `receipt` proving delivery
 * (or a signed refusal) of a message, or a `reply` carrying the destination
 * service's HTTP answer to a synchronous call (a reply is also a receipt).
 */
export const ENVELOPE_KINDS = ['message', 'receipt', 'reply'] as const
export type EnvelopeKind = (typeof ENVELOPE_KINDS)[number]

/**
 * The immutable, signed part of an envelope. Its exact serialized bytes are
 * what the source signs, so relays must forward them untouched.
 */
export interface EnvelopeCore {
  v: 1
  /** Time-ordered id (ULID); also the idempotency key at the destination service. */
  id: string
  kind: EnvelopeKind
  /** Roster name of the source gateway. */
  src: string
  /** Roster name of the destination gateway. */
  dst: string
  /** Destination service name; empty for receipts. */
  service: string
  priority: Priority
  /** Unix milliseconds. */
  createdAt: number
  /** Unix milliseconds; after this the message is expired wherever it is. */
  expiresAt: number
  /** For receipts and replies: the id of the message answered. */
  ref?: string
  /** The sender waits for the service's answer (synchronous call). */
  expectReply?: boolean
  /** Whether `payload` is sealed for the destination gateway. */
  sealed: boolean
}

/**
 * Mutable routing header, rewritten at every hop and not signed: loops are
 * bounded by `maxHops` and the `visited` list, and a corrupted header can at
 * worst misroute a message that is still in someone's custody.
 */
export interface RouteHeader {
  /** Hops taken so far. */
  hops: number
  /** Maximum hops before a relay refuses the message. */
  maxHops: number
  /** Roster names of the gateways that held this copy, source first. */
  visited: string[]
  /** Optional remaining path hint (roster names) that keeps a copy on its disjoint path. */
  via?: string[]
  /** Copy number for messages sent over several paths at once (0 for the only or first copy). */
  copy: number
}

export interface Envelope {
  core: EnvelopeCore
  /** The exact bytes of `core` as signed. */
  coreBytes: Uint8Array
  route: RouteHeader
  /** Ed25519 signature of the source over `signingBytes(coreBytes, payload)`. */
  sig: Uint8Array
  payload: Uint8Array
}

const MAGIC = 0x4c // 'L'
const VERSION = 1
const encoder = new TextEncoder()
const decoder = new TextDecoder('utf-8', { fatal: true })

const nextId = monotonicFactory()

/** A fresh time-ordered message id. */
export function newMessageId(now = Date.now()): string {
  return nextId(now)
}

/** Creation time encoded in a message id, or undefined when the id is not one of ours. */
export function messageIdTime(id: string): number | undefined {
  return isValid(id) ? decodeTime(id) : undefined
}

export function isMessageId(id: unknown): id is string {
  return typeof id === 'string' && id.length === 26 && isValid(id)
}

export function encodeCore(core: EnvelopeCore): Uint8Array {
  return encoder.encode(JSON.stringify(core))
}

/** Largest encoded envelope accepted from the wire or the disk, whatever the config says. */
export const MAX_ENVELOPE_BYTES = 64 * 1024 * 1024

/**
 * Wire and disk format: magic, version, then three length-prefixed parts
 * (core JSON, route JSON, signature) and the payload as the remainder.
 */
export function encodeEnvelope(env: Envelope): Uint8Array {
  const route = encoder.encode(JSON.stringify(env.route))
  const total = 2 + 4 + env.coreBytes.length + 4 + route.length + 2 + env.sig.length
  const out = new Uint8Array(total + env.payload.length)
  const view = new DataView(out.buffer)
  out[0] = MAGIC
  out[1] = VERSION
  let at = 2
  const put = (part: Uint8Array, lengthBytes: 2 | 4): void => {
    if (lengthBytes === 4) view.setUint32(at, part.length)
    else view.setUint16(at, part.length)
    out.set(part, at + lengthBytes)
    at += lengthBytes + part.length
  }
  put(env.coreBytes, 4)
  put(route, 4)
  put(env.sig, 2)
  out.set(env.payload, at)
  return out
}

function fail(reason: string): never {
  throw new LifelineError('DECODE_FAILED', `malformed envelope: ${reason}`)
}

/** Decodes and structurally validates an envelope; throws DECODE_FAILED on anything off. */
export function decodeEnvelope(bytes: Uint8Array, maxBytes = MAX_ENVELOPE_BYTES): Envelope {
  if (bytes.length > maxBytes) fail(`${bytes.length} bytes exceeds the ${maxBytes} byte limit`)
  if (bytes.length < 12) fail('too short')
  if (bytes[0] !== MAGIC) fail('bad magic byte')
  if (bytes[1] !== VERSION) fail(`unsupported version ${bytes[1]}`)
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  let at = 2
  const take = (len: number, what: string): Uint8Array => {
    if (at + len > bytes.length) fail(`truncated ${what}`)
    const part = bytes.subarray(at, at + len)
    at += len
    return part
  }
  if (at + 4 > bytes.length) fail('truncated core length')
  const coreLen = view.getUint32(at)
  at += 4
  const coreBytes = take(coreLen, 'core')
  if (at + 4 > bytes.length) fail('truncated route length')
  const routeLen = view.getUint32(at)
  at += 4
  const routeBytes = take(routeLen, 'route')
  if (at + 2 > bytes.length) fail('truncated signature length')
  const sigLen = view.getUint16(at)
  at += 2
  const sig = take(sigLen, 'signature')
  const payload = bytes.subarray(at)
  const core = validateCore(parseJson(coreBytes, 'core'))
  const route = validateRoute(parseJson(routeBytes, 'route'))
  return { core, coreBytes: coreBytes.slice(), route, sig: sig.slice(), payload: payload.slice() }
}

function parseJson(bytes: Uint8Array, what: string): unknown {
  try {
    return JSON.parse(decoder.decode(bytes))
  } catch {
    return fail(`${what} is not valid UTF-8 JSON`)
  }
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$/

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function validateCore(raw: unknown): EnvelopeCore {
  if (!isObject(raw)) fail('core is not an object')
  const c = raw
  if (c.v !== 1) fail('core.v must be 1')
  if (!isMessageId(c.id)) fail('core.id is not a message id')
  if (!ENVELOPE_KINDS.includes(c.kind as EnvelopeKind)) fail('core.kind is unknown')
  for (const field of ['src', 'dst'] as const) {
    if (typeof c[field] !== 'string' || !NAME.test(c[field] as string))
      fail(`core.${field} is not a name`)
  }
  if (typeof c.service !== 'string' || c.service.length > 128) fail('core.service is invalid')
  if (!PRIORITIES.includes(c.priority as Priority)) fail('core.priority is unknown')
  for (const field of ['createdAt', 'expiresAt'] as const) {
    if (!Number.isSafeInteger(c[field]) || (c[field] as number) < 0)
      fail(`core.${field} is invalid`)
  }
  if (c.ref !== undefined && !isMessageId(c.ref)) fail('core.ref is not a message id')
  if (c.expectReply !== undefined && typeof c.expectReply !== 'boolean') fail('core.expectReply')
  if (typeof c.sealed !== 'boolean') fail('core.sealed must be a boolean')
  return c as unknown as EnvelopeCore
}

function validateRoute(raw: unknown): RouteHeader {
  if (!isObject(raw)) fail('route is not an object')
  const r = raw
  if (!Number.isSafeInteger(r.hops) || (r.hops as number) < 0) fail('route.hops is invalid')
  if (!Number.isSafeInteger(r.maxHops) || (r.maxHops as number) < 1)
    fail('route.maxHops is invalid')
  if (!Number.isSafeInteger(r.copy) || (r.copy as number) < 0) fail('route.copy is invalid')
  const names = (value: unknown, what: string): string[] => {
    if (!Array.isArray(value) || value.length > 64) fail(`${what} is not a list of names`)
    for (const n of value)
      if (typeof n !== 'string' || !NAME.test(n)) fail(`${what} holds a bad name`)
    return value as string[]
  }
  const route: RouteHeader = {
    hops: r.hops as number,
    maxHops: r.maxHops as number,
    copy: r.copy as number,
    visited: names(r.visited, 'route.visited'),
  }
  if (r.via !== undefined) route.via = names(r.via, 'route.via')
  return route
}

/** The bytes a source signs: a domain tag, the core bytes, and the payload. */
export function signingBytes(coreBytes: Uint8Array, payload: Uint8Array): Uint8Array {
  const tag = encoder.encode('lifeline/envelope/v1\n')
  const out = new Uint8Array(tag.length + 4 + coreBytes.length + payload.length)
  out.set(tag, 0)
  new DataView(out.buffer).setUint32(tag.length, coreBytes.length)
  out.set(coreBytes, tag.length + 4)
  out.set(payload, tag.length + 4 + coreBytes.length)
  return out
}
