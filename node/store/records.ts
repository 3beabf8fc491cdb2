import { LifelineError } from '../core/errors.ts'
import type { MessageStatus, StatusRecord } from './types.ts'

const encoder = new TextEncoder()
const decoder = new TextDecoder('utf-8', { fatal: true })

const STATUSES: readonly MessageStatus[] = [
  'queued',
  'in-transit',
  'delivered',
  'expired',
  'rejected',
]

function corrupt(what: string, cause?: unknown): never {
  throw new LifelineError('CORRUPT_RECORD', `corrupt ${what}`, { cause })
}

function parseJson(bytes: Uint8Array, what: string): unknown {
  try {
    return JSON.parse(decoder.decode(bytes))
  } catch (err) {
    return corrupt(what, err)
  }
}

export function encodeStatus(record: StatusRecord): Uint8Array {
  return encoder.encode(JSON.stringify(record))
}

/** Parses a status record, checking the fields every reader relies on. */
export function decodeStatus(bytes: Uint8Array): StatusRecord {
  const raw = parseJson(bytes, 'status record') as Partial<StatusRecord> | null
  if (
    raw === null ||
    typeof raw !== 'object' ||
    typeof raw.id !== 'string' ||
    typeof raw.dst !== 'string' ||
    !STATUSES.includes(raw.status as MessageStatus) ||
    !Number.isSafeInteger(raw.expiresAt) ||
    !Number.isSafeInteger(raw.updatedAt)
  ) {
    return corrupt('status record: missing or malformed fields')
  }
  return raw as StatusRecord
}

/** A dedupe record's value: its expiry in Unix milliseconds, as decimal ASCII. */
export function encodeExpiry(expiresAt: number): Uint8Array {
  return encoder.encode(String(expiresAt))
}

/** What the quarantine keeps of a record that could not be read. */
export interface QuarantinedRecord {
  /** The key the record was found under. */
  key: string
  /** Why it was set aside (the decoder's message). */
  reason: string
  /** Unix milliseconds when it was quarantined. */
  at: number
  /** Base64 of the raw value, untouched, for forensics. */
  raw: string
}

export function encodeQuarantined(record: QuarantinedRecord): Uint8Array {
  return encoder.encode(JSON.stringify(record))
}

export function decodeQuarantined(bytes: Uint8Array): QuarantinedRecord {
  return parseJson(bytes, 'quarantine record') as QuarantinedRecord
}

export function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')
}
