import { createHash, randomBytes } from 'node:crypto'

/**
 * Drill payloads describe themselves, so the recorder can tell from the bytes
 * alone which send a delivery belongs to and whether it arrived intact:
 *
 *     lifeline-drill/1 <flow> <seq> <from> <to> <sentAt> <sha256>\n<filler>
 *
 * The hash covers the header fields and the random filler that pads the
 * payload to the flow's size, so truncation, corruption or a swap between two
 * messages all show.
 */
const MAGIC = 'lifeline-drill/1'

export interface PayloadLabel {
  /** Index of the traffic flow in the scenario. */
  flow: number
  /** Sequence number within the flow, from 0. */
  seq: number
  from: string
  to: string
  /** Unix ms at which the generator sent it. */
  sentAt: number
}

export type PayloadCheck =
  | ({ ok: true } & PayloadLabel)
  | { ok: false; reason: string; label?: PayloadLabel }

function digest(fields: string, filler: Uint8Array): string {
  return createHash('sha256').update(fields).update(filler).digest('hex')
}

function fieldsOf(label: PayloadLabel): string {
  return `${label.flow} ${label.seq} ${label.from} ${label.to} ${label.sentAt}`
}

/** A payload of `sizeBytes` (or just the header, when that is longer). */
export function encodePayload(label: PayloadLabel, sizeBytes: number): Buffer {
  const fields = fieldsOf(label)
  const headerLength = MAGIC.length + 1 + fields.length + 1 + 64 + 1
  const filler = randomBytes(Math.max(0, sizeBytes - headerLength))
  const header = `${MAGIC} ${fields} ${digest(fields, filler)}\n`
  return Buffer.concat([Buffer.from(header, 'latin1'), filler])
}

/** Parses and verifies a delivered payload. */
export function decodePayload(body: Buffer): PayloadCheck {
  const newline = body.indexOf(10)
  if (newline < 0 || newline > 512) return { ok: false, reason: 'no drill header' }
  const parts = body.subarray(0, newline).toString('latin1').split(' ')
  if (parts.length !== 7 || parts[0] !== MAGIC) return { ok: false, reason: 'no drill header' }
  const [, flow, seq, from, to, sentAt, hash] = parts as [string, ...string[]]
  const label: PayloadLabel = {
    flow: Number(flow),
    seq: Number(seq),
    from: from ?? '',
    to: to ?? '',
    sentAt: Number(sentAt),
  }
  if (![label.flow, label.seq, label.sentAt].every(Number.isSafeInteger)) {
    return { ok: false, reason: 'malformed drill header' }
  }
  const filler = body.subarray(newline + 1)
  if (digest(fieldsOf(label), filler) !== hash) {
    return { ok: false, reason: 'payload hash mismatch', label }
  }
  return { ok: true, ...label }
}
