import { connect, type Socket } from 'node:net'
import { Lane, type LaneLink, type LinkDirection } from './lane.ts'

/** What a connection needs from its proxy besides the lanes' needs. */
export interface ConnectionLink extends LaneLink {
  /** Called once when both sockets are gone. */
  closed(connection: ProxiedConnection): void
}

/**
 * One client connection and its upstream twin, joined by two lanes. Both
 * sockets allow half-open streams so that each end of stream travels through
 * its lane (and its delay, and its cut) instead of being answered locally.
 */
export class ProxiedConnection {
  readonly client: Socket
  readonly upstream: Socket
  readonly #lanes: Lane[]
  readonly #link: ConnectionLink
  #broken = false
  #done = false

  constructor(
    client: Socket,
    target: { host: string; port: number },
    link: ConnectionLink,
    maxQueuedBytes: number,
  ) {
    this.client = client
    this.#link = link
    this.upstream = connect({ host: target.host, port: target.port, allowHalfOpen: true })
    client.setNoDelay(true)
    this.upstream.setNoDelay(true)
    this.#lanes = [
      new Lane('a-to-b', client, this.upstream, link, maxQueuedBytes),
      new Lane('b-to-a', this.upstream, client, link, maxQueuedBytes),
    ]
    // Errors surface as 'close' with hadError; the listeners only keep them from throwing.
    client.on('error', () => {})
    this.upstream.on('error', () => {})
    client.on('close', (hadError) => this.#gone(client, this.upstream, 'a-to-b', hadError))
    this.upstream.on('close', (hadError) => this.#gone(this.upstream, client, 'b-to-a', hadError))
  }

  /**
   * True when a cut hid an end of stream or a reset from one side, so that side
   * holds a connection its peer has already given up on.
   */
  get broken(): boolean {
    return this.#broken || this.#lanes.some((lane) => lane.swallowedEnd)
  }

  /** Tears both sockets down with a TCP RST. */
  reset(): void {
    this.#closeLanes()
    for (const socket of [this.client, this.upstream]) {
      if (!socket.destroyed) socket.resetAndDestroy()
    }
  }

  /** Closes both sockets without ceremony (proxy shutdown). */
  destroy(): void {
    this.#closeLanes()
    this.client.destroy()
    this.upstream.destroy()
  }

  #closeLanes(): void {
    for (const lane of this.#lanes) lane.close()
  }

  /**
   * A socket closed. An orderly close already sent its end of stream through
   * the lane. An abortive one (RST, refused upstream) is passed on as an RST,
   * unless the direction towards the other side is cut: then the other side
   * keeps a dead connection, exactly as behind a blackhole.
   */
  #gone(socket: Socket, other: Socket, towardsOther: LinkDirection, hadError: boolean): void {
    if (other.destroyed) {
      this.#finish()
      return
    }
    if (!hadError) return
    if (this.#link.isCut(towardsOther)) {
      this.#broken = true
      return
    }
    this.#closeLanes()
    other.resetAndDestroy()
    if (socket.destroyed && other.destroyed) this.#finish()
  }

  #finish(): void {
    if (this.#done) return
    this.#done = true
    this.#closeLanes()
    this.#link.closed(this)
  }
}
