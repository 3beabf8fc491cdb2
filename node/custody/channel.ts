import type { Stream } from '@libp2p/interface'
import type { Logger } from '../core/log.ts'
import { type CustodyAck, envelopeFrame, FRAME, FramedStream, parseAck } from './wire.ts'

/** Raised for a transfer that got no acknowledgement: the message stays with the sender. */
export class TransferFailedError extends Error {
  override name = 'TransferFailedError'
}

interface Pending {
  resolve: (ack: CustodyAck) => void
  reject: (err: Error) => void
  timer: NodeJS.Timeout
}

/**
 * The sending end of custody transfer to one neighbour. `transfer()` resolves
 * with the neighbour's ack once the neighbour has the envelope on disk; it
 * rejects when no ack comes within the timeout or the stream breaks, in which
 * case the caller still holds custody and retries.
 */
export class CustodyChannel {
  readonly peer: string
  readonly #framed: FramedStream
  readonly #pending = new Map<string, Pending>()
  readonly #ackTimeoutMs: number
  readonly #log: Logger
  #closed = false
  readonly closed: Promise<void>

  readonly #onAck: (() => void) | undefined

  constructor(
    peer: string,
    stream: Stream,
    options: { ackTimeoutMs: number; logger: Logger; onAck?: () => void },
  ) {
    this.peer = peer
    this.#framed = new FramedStream(stream)
    this.#ackTimeoutMs = options.ackTimeoutMs
    this.#log = options.logger
    this.#onAck = options.onAck
    this.closed = this.#readAcks()
  }

  get inFlight(): number {
    return this.#pending.size
  }

  get isOpen(): boolean {
    return !this.#closed
  }

  transfer(id: string, encoded: Uint8Array): Promise<CustodyAck> {
    if (this.#closed)
      return Promise.reject(new TransferFailedError(`channel to ${this.peer} closed`))
    if (this.#pending.has(id)) {
      return Promise.reject(new TransferFailedError(`${id} already in flight to ${this.peer}`))
    }
    const { promise, resolve, reject } = Promise.withResolvers<CustodyAck>()
    const timer = setTimeout(() => {
      this.#pending.delete(id)
      reject(
        new TransferFailedError(`no custody ack from ${this.peer} within ${this.#ackTimeoutMs} ms`),
      )
    }, this.#ackTimeoutMs)
    this.#pending.set(id, { resolve, reject, timer })
    this.#framed.write(envelopeFrame(encoded)).catch((err: Error) => this.close(err))
    return promise
  }

  /** Fails every pending transfer and aborts the stream (link declared down, shutdown). */
  close(reason: Error = new TransferFailedError(`channel to ${this.peer} closed`)): void {
    if (this.#closed) return
    this.#closed = true
    for (const [id, pending] of this.#pending) {
      clearTimeout(pending.timer)
      pending.reject(new TransferFailedError(`${id}: ${reason.message}`))
    }
    this.#pending.clear()
    this.#framed.abort(reason)
  }

  async #readAcks(): Promise<void> {
    try {
      for (;;) {
        const frame = await this.#framed.read()
        if (frame[0] !== FRAME.ack)
          throw new Error(`unexpected frame type ${frame[0]} on custody stream`)
        const ack = parseAck(frame.subarray(1))
        if (ack === undefined) throw new Error('malformed custody ack')
        this.#onAck?.()
        const pending = this.#pending.get(ack.id)
        if (pending === undefined) continue
        this.#pending.delete(ack.id)
        clearTimeout(pending.timer)
        pending.resolve(ack)
      }
    } catch (err) {
      if (!this.#closed) this.#log.debug({ peer: this.peer, err }, 'custody stream ended')
      this.close(err as Error)
    }
  }
}
