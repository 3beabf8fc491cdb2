import { PRIORITIES, type Priority } from '../core/envelope.ts'

/**
 * Key layout of the custody store. Keys are UTF-8 strings; the first character
 * names the area and `!` separates the parts. `!` sorts below every character a
 * roster name or a message id may hold, so a prefix never runs into its neighbour
 * (`o!a!…` sorts entirely before `o!a.b!…`).
 *
 * | key                             | value                                                |
 * | ------------------------------- | ---------------------------------------------------- |
 * | `o!<dst>!<p>!<id>`              | outbound envelope; `p`: 0 critical, 1 normal, 2 bulk  |
 * | `i!<id>`                        | inbound envelope, waiting for the local service      |
 * | `d!<id>`                        | dedupe record: its expiry as decimal Unix ms         |
 * | `x!<expiresAt, 16 digits>!<id>` | empty; the dedupe expiry index, soonest first        |
 * | `s!<id>`                        | the sender's status record (JSON)                    |
 * | `p!<id>`                        | empty; marks a status still queued or in transit     |
 * | `z!<original key>`              | a quarantined record: JSON with raw bytes and reason |
 *
 * Within one destination, outbound keys sort by priority and then by the
 * time-ordered id, which is the order `peek` hands messages out. Ids are ULIDs,
 * so inbound keys sort oldest first as well.
 */
const SEP = '!'
/** The character right after `SEP`: the exclusive upper bound of a prefix range. */
const SEP_END = '"'

export const OUTBOUND_PREFIX = `o${SEP}`
export const INBOUND_PREFIX = `i${SEP}`
export const DEDUPE_PREFIX = `d${SEP}`
export const DEDUPE_EXPIRY_PREFIX = `x${SEP}`
export const STATUS_PREFIX = `s${SEP}`
export const PENDING_STATUS_PREFIX = `p${SEP}`
export const QUARANTINE_PREFIX = `z${SEP}`

/** Digits of a zero-padded expiry; enough for every safe integer of milliseconds. */
const EXPIRY_DIGITS = 16

/** Bounds that select every key starting with `prefix` (which ends in `SEP`). */
export function prefixRange(prefix: string): { gte: string; lt: string } {
  return { gte: prefix, lt: prefix.slice(0, -1) + SEP_END }
}

export function outboundKey(dst: string, priority: Priority, id: string): string {
  return `${OUTBOUND_PREFIX}${dst}${SEP}${PRIORITIES.indexOf(priority)}${SEP}${id}`
}

/** The queue key of a message held in `place`. */
export function queueKey(entry: {
  place: 'outbound' | 'inbound'
  dst: string
  priority: Priority
  id: string
}): string {
  return entry.place === 'inbound'
    ? inboundKey(entry.id)
    : outboundKey(entry.dst, entry.priority, entry.id)
}

export function inboundKey(id: string): string {
  return INBOUND_PREFIX + id
}

export function dedupeKey(id: string): string {
  return DEDUPE_PREFIX + id
}

export function dedupeExpiryKey(expiresAt: number, id: string): string {
  return `${DEDUPE_EXPIRY_PREFIX}${String(expiresAt).padStart(EXPIRY_DIGITS, '0')}${SEP}${id}`
}

/** Upper bound (exclusive) of the expiry index entries due at or before `now`. */
export function dedupeExpiryBound(now: number): string {
  return `${DEDUPE_EXPIRY_PREFIX}${String(now).padStart(EXPIRY_DIGITS, '0')}${SEP_END}`
}

export function statusKey(id: string): string {
  return STATUS_PREFIX + id
}

export function pendingStatusKey(id: string): string {
  return PENDING_STATUS_PREFIX + id
}

/** The message id at the end of a pending status key. */
export function idOfPendingStatusKey(key: string): string {
  return key.slice(PENDING_STATUS_PREFIX.length)
}

export function quarantineKey(originalKey: string): string {
  return QUARANTINE_PREFIX + originalKey
}

/** The parts of a queue key, or undefined when the key is not a well-formed queue key. */
export type ParsedQueueKey =
  | { place: 'outbound'; dst: string; priority: Priority; id: string }
  | { place: 'inbound'; id: string }

export function parseQueueKey(key: string): ParsedQueueKey | undefined {
  if (key.startsWith(INBOUND_PREFIX)) return { place: 'inbound', id: key.slice(2) }
  if (!key.startsWith(OUTBOUND_PREFIX)) return undefined
  const parts = key.slice(2).split(SEP)
  if (parts.length !== 3) return undefined
  const [dst, p, id] = parts as [string, string, string]
  const priority = PRIORITIES[Number(p)]
  if (priority === undefined || p.length !== 1) return undefined
  return { place: 'outbound', dst, priority, id }
}

/** The message id at the end of a dedupe expiry index key. */
export function idOfDedupeExpiryKey(key: string): string {
  return key.slice(key.lastIndexOf(SEP) + 1)
}
