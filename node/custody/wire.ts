import type { Stream } from '@libp2p/interface'
import { type LengthPrefixedStream, lpStream } from '@libp2p/utils'
import { MAX_FRAME_BYTES } from '../overlay/protocols.ts'

/**
 * Custody frames. One custody stream per neighbour and direction carries many
 * transfers at once: envelopes one way, acknowledgements the other, matched by id.
 */
export const FRAME = { envelope: 1, ack: 2 } as const

/**
 * A next hop's answer to a transfer. `accepted` and `duplicate` both mean the
 * next hop holds the message on disk, so the sender may drop its copy;
 * `rejected` means it never will (the code says why) and the sender must not retry
 * over this hop; `busy` asks the sender to retry later.
 */
export interface CustodyAck {
  id: string
  result: 'accepted' | 'duplicate' | 'rejected' | 'busy'
  code?: string
  message?: string
}

const encoder = new TextEncoder()
const decoder = new TextDecoder()

export function envelopeFrame(encoded: Uint8Array): Uint8Array {
  const frame = new Uint8Array(encoded.length + 1)
  frame[0] = FRAME.envelope
  frame.set(encoded, 1)
  return frame
}

export function ackFrame(ack: CustodyAck): Uint8Array {
  const body = encoder.encode(JSON.stringify(ack))
  const frame = new Uint8Array(body.length + 1)
  frame[0] = FRAME.ack
  frame.set(body, 1)
  return frame
}

const RESULTS = new Set(['accepted', 'duplicate', 'rejected', 'busy'])

/** Parses an ack frame body; returns undefined for anything malformed. */
export function parseAck(body: Uint8Array): CustodyAck | undefined {
  try {
    const raw = JSON.parse(decoder.decode(body)) as Partial<CustodyAck>
    if (typeof raw.id !== 'string' || !RESULTS.has(raw.result as string)) return undefined
    return raw as CustodyAck
  } catch {
    return undefined
  }
}

/**
 * A framed custody stream whose writes are serialized, so frames written from
 * concurrent tasks never interleave.
 */
export class FramedStream {
  readonly stream: Stream
  readonly #lp: LengthPrefixedStream<Stream>
  #writing: Promise<void> = Promise.resolve()

  constructor(stream: Stream, maxFrameBytes = MAX_FRAME_BYTES) {
    this.stream = stream
    this.#lp = lpStream(stream, { maxDataLength: maxFrameBytes })
  }

  /** Next frame as a single buffer; rejects when the stream ends or breaks. */
  async read(signal?: AbortSignal): Promise<Uint8Array> {
    const list = await this.#lp.read(signal === undefined ? undefined : { signal })
    return list.subarray()
  }

  write(frame: Uint8Array): Promise<void> {
    const next = this.#writing.then(() => this.#lp.write(frame))
    this.#writing = next.catch(() => {})
    return next
  }

  abort(reason: Error): void {
    this.stream.abort(reason)
  }
}
