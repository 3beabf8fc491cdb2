import type { Socket } from 'node:net'

/** `a-to-b` carries bytes from the dialling side (the proxy's client) to the target. */
export type LinkDirection = 'a-to-b' | 'b-to-a'

/** What a lane needs from the link it rides on. */
export interface LaneLink {
  /** Whether bytes in this direction are being discarded right now. */
  isCut(direction: LinkDirection): boolean
  /** Absolute time (performance.now ms) at which `bytes` arriving `now` reach the far side. */
  schedule(direction: LinkDirection, bytes: number, now: number): number
  /** Counts bytes handed to the far side. */
  delivered(direction: LinkDirection, bytes: number): void
  /** Counts bytes discarded by a blackhole. */
  discarded(direction: LinkDirection, bytes: number): void
}

type Item = { at: number; chunk: Buffer } | { at: number; chunk: undefined }

/**
 * One direction of one proxied connection: a FIFO of chunks, each released at
 * its scheduled time. Release times never decrease, so jitter cannot reorder
 * the stream. When too many bytes wait, the source is paused, which pushes the
 * backlog into the kernel and finally the sender, as a slow line would.
 */
export class Lane {
  readonly direction: LinkDirection
  readonly #source: Socket
  readonly #sink: Socket
  readonly #link: LaneLink
  readonly #maxQueuedBytes: number
  readonly #queue: Item[] = []
  #queuedBytes = 0
  #lastAt = 0
  #timer: NodeJS.Timeout | undefined
  #swallowedEnd = false
  #closed = false

  constructor(
    direction: LinkDirection,
    source: Socket,
    sink: Socket,
    link: LaneLink,
    maxQueuedBytes: number,
  ) {
    this.direction = direction
    this.#source = source
    this.#sink = sink
    this.#link = link
    this.#maxQueuedBytes = maxQueuedBytes
    source.on('data', (chunk: Buffer) => this.#onData(chunk))
    source.on('end', () => this.#enqueue(undefined, 0))
    sink.on('drain', () => this.#maybeResume())
  }

  /** True when a cut swallowed the source's end of stream, so the sink never heard of it. */
  get swallowedEnd(): boolean {
    return this.#swallowedEnd
  }

  /** Bytes waiting in this lane. */
  get queuedBytes(): number {
    return this.#queuedBytes
  }

  /** Stops releasing chunks; whatever still waits is dropped with the connection. */
  close(): void {
    this.#closed = true
    clearTimeout(this.#timer)
    this.#queue.length = 0
    this.#queuedBytes = 0
  }

  #onData(chunk: Buffer): void {
    if (this.#link.isCut(this.direction)) {
      this.#link.discarded(this.direction, chunk.length)
      return
    }
    this.#enqueue(chunk, chunk.length)
    if (this.#queuedBytes + this.#sink.writableLength > this.#maxQueuedBytes) this.#source.pause()
  }

  #enqueue(chunk: Buffer | undefined, bytes: number): void {
    if (this.#closed) return
    const now = performance.now()
    const at = Math.max(this.#link.schedule(this.direction, bytes, now), this.#lastAt)
    this.#lastAt = at
    this.#queue.push({ at, chunk })
    this.#queuedBytes += bytes
    this.#pump()
  }

  #pump(): void {
    clearTimeout(this.#timer)
    this.#timer = undefined
    const now = performance.now()
    let head = this.#queue[0]
    while (head !== undefined && head.at <= now) {
      this.#queue.shift()
      this.#release(head)
      head = this.#queue[0]
    }
    if (head !== undefined && !this.#closed) {
      this.#timer = setTimeout(() => this.#pump(), Math.max(1, Math.ceil(head.at - now)))
    }
    this.#maybeResume()
  }

  /** A chunk still "on the wire" when the link is cut is lost with it. */
  #release(item: Item): void {
    const bytes = item.chunk?.length ?? 0
    this.#queuedBytes -= bytes
    const sinkOpen = !this.#sink.destroyed && this.#sink.writable
    if (this.#link.isCut(this.direction)) {
      if (item.chunk === undefined) this.#swallowedEnd = true
      else this.#link.discarded(this.direction, bytes)
      return
    }
    if (!sinkOpen) return
    if (item.chunk === undefined) {
      this.#sink.end()
      return
    }
    this.#sink.write(item.chunk)
    this.#link.delivered(this.direction, bytes)
  }

  #maybeResume(): void {
    const backlog = this.#queuedBytes + this.#sink.writableLength
    if (this.#source.isPaused() && backlog <= this.#maxQueuedBytes / 2 && !this.#closed) {
      this.#source.resume()
    }
  }
}
