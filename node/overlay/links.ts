import type { Connection, Stream } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import type { Logger } from '../core/log.ts'
import { type BackoffPolicy, backoffDelay } from '../custody/backoff.ts'
import { CustodyChannel } from '../custody/channel.ts'
import { FramedStream } from '../custody/wire.ts'
import type { Metrics } from '../metrics/catalogue.ts'
import {
  CONTROL,
  type FloodKind,
  floodFrame,
  MAX_CONTROL_FRAME_BYTES,
  probeFrame,
  readSeq,
} from './control.ts'
import type { Host } from './host.ts'
import { PROTOCOLS } from './protocols.ts'

/** A configured neighbour, its peer id resolved through the roster. */
export interface Neighbour {
  name: string
  peerId: string
  addresses: string[]
}

/** What the link manager needs of a link monitor (see node/link). */
export interface ProbeMonitor {
  readonly up: boolean
  onProbeAck(seq: number): void
  /** The neighbour acknowledged data we sent: the link carries bytes both ways. */
  onActivity(): void
  onTraffic(bytes: number): void
  stats(): { rttMs: number | undefined; loss: number; throughputBps: number }
  stop(): void
}

export interface LinkManagerOptions {
  host: Host
  neighbours: Neighbour[]
  /** Use the DHT to find neighbours that have no (working) configured address. */
  dht: boolean
  createMonitor(peer: string, sendProbe: (seq: number) => void, onChange: () => void): ProbeMonitor
  /** A flooded record arrived from a neighbour. */
  onFlood(kind: FloodKind, body: Uint8Array, from: string): void
  /** An inbound custody stream from a neighbour. */
  onCustodyStream(stream: Stream, from: string): void
  redial: BackoffPolicy
  ackTimeoutMs: number
  logger: Logger
  metrics?: Metrics
}

interface LinkState {
  n: Neighbour
  conn?: Connection
  control?: FramedStream
  monitor?: ProbeMonitor
  custody?: CustodyChannel
  opening?: Promise<CustodyChannel | undefined>
  attempts: number
  redial?: NodeJS.Timeout
  since: number
}

/**
 * Keeps one link per configured neighbour: dials (and redials with backoff),
 * runs the link monitor over a control stream, and hands out the custody
 * channel for a link only while the monitor says it is up. Dispatches
 * `change` whenever a link goes up or down.
 */
export class LinkManager extends EventTarget {
  readonly #o: LinkManagerOptions
  readonly #links = new Map<string, LinkState>()
  readonly #byPeer = new Map<string, LinkState>()
  #stopped = false

  constructor(options: LinkManagerOptions) {
    super()
    this.#o = options
    for (const n of options.neighbours) {
      const state: LinkState = { n, attempts: 0, since: Date.now() }
      this.#links.set(n.name, state)
      this.#byPeer.set(n.peerId, state)
    }
  }

  async start(): Promise<void> {
    const { host } = this.#o
    const limits = { maxInboundStreams: 8, maxOutboundStreams: 8 }
    await host.handle(PROTOCOLS.control, (s, c) => this.#serveControl(s, c), limits)
    await host.handle(PROTOCOLS.custody, (s, c) => this.#serveCustody(s, c), limits)
    host.addEventListener('connection:open', (e) => this.#attach(e.detail))
    host.addEventListener('connection:close', (e) => this.#detach(e.detail))
    for (const conn of host.getConnections()) this.#attach(conn)
    for (const state of this.#links.values()) this.#dial(state)
  }

  stop(): void {
    this.#stopped = true
    for (const state of this.#links.values()) {
      clearTimeout(state.redial)
      state.monitor?.stop()
      state.custody?.close()
    }
  }

  neighbours(): string[] {
    return [...this.#links.keys()]
  }

  isUp(name: string): boolean {
    return this.#links.get(name)?.monitor?.up === true
  }

  upNeighbours(): string[] {
    return [...this.#links.values()].filter((s) => s.monitor?.up === true).map((s) => s.n.name)
  }

  /** Per-link view for operators and metrics. */
  snapshot() {
    return [...this.#links.values()].map((s) => ({
      peer: s.n.name,
      peerId: s.n.peerId,
      connected: s.conn?.status === 'open',
      up: s.monitor?.up === true,
      since: new Date(s.since).toISOString(),
      remoteAddr: s.conn?.remoteAddr.toString(),
      inFlight: s.custody?.inFlight ?? 0,
      ...(s.monitor?.stats() ?? { rttMs: undefined, loss: 0, throughputBps: 0 }),
    }))
  }

  /** The custody channel to an up neighbour, opened on first use. */
  channel(name: string): Promise<CustodyChannel | undefined> {
    const state = this.#links.get(name)
    if (state?.conn === undefined || state.monitor?.up !== true) return Promise.resolve(undefined)
    if (state.custody?.isOpen) return Promise.resolve(state.custody)
    state.opening ??= this.#openCustody(state).finally(() => {
      state.opening = undefined
    })
    return state.opening
  }

  /** Sends a flood frame to every up neighbour except `except`. */
  flood(kind: FloodKind, body: Uint8Array, except?: string): void {
    const frame = floodFrame(kind, body)
    for (const state of this.#links.values()) {
      if (state.n.name === except || state.control === undefined) continue
      state.control.write(frame).catch(() => {})
    }
  }

  /** Sends a flood frame to one neighbour (e.g. to sync a neighbour that just came up). */
  sendTo(name: string, kind: FloodKind, body: Uint8Array): void {
    this.#links
      .get(name)
      ?.control?.write(floodFrame(kind, body))
      .catch(() => {})
  }

  /** Records payload bytes sent to a neighbour, for its throughput estimate. */
  traffic(name: string, bytes: number): void {
    this.#links.get(name)?.monitor?.onTraffic(bytes)
  }

  async #openCustody(state: LinkState): Promise<CustodyChannel | undefined> {
    try {
      const stream = await state.conn!.newStream(PROTOCOLS.custody, {
        signal: AbortSignal.timeout(this.#o.ackTimeoutMs),
      })
      state.custody = new CustodyChannel(state.n.name, stream, {
        ackTimeoutMs: this.#o.ackTimeoutMs,
        logger: this.#o.logger,
        onAck: () => state.monitor?.onActivity(),
      })
      return state.custody
    } catch (err) {
      this.#o.logger.debug({ peer: state.n.name, err: (err as Error).message }, 'no custody stream')
      return undefined
    }
  }

  #attach(conn: Connection): void {
    const state = this.#byPeer.get(conn.remotePeer.toString())
    if (state === undefined || this.#stopped) return
    // One link per neighbour: a second connection (both sides dialled at once) stays spare.
    if (state.conn?.status === 'open') return
    state.conn = conn
    state.attempts = 0
    clearTimeout(state.redial)
    void this.#startMonitor(state, conn)
  }

  async #startMonitor(state: LinkState, conn: Connection): Promise<void> {
    let stream: Stream
    try {
      stream = await conn.newStream(PROTOCOLS.control, { signal: AbortSignal.timeout(5_000) })
    } catch (err) {
      this.#o.logger.debug({ peer: state.n.name, err: (err as Error).message }, 'no control stream')
      if (state.conn === conn) await conn.close().catch(() => {})
      return
    }
    const control = new FramedStream(stream, MAX_CONTROL_FRAME_BYTES)
    state.control = control
    state.monitor?.stop()
    state.monitor = this.#o.createMonitor(
      state.n.name,
      (seq) => void control.write(probeFrame(CONTROL.probe, seq)).catch(() => {}),
      () => this.#changed(state),
    )
    const monitor = state.monitor
    try {
      for (;;) {
        const frame = await control.read()
        const seq = frame[0] === CONTROL.probeAck ? readSeq(frame) : undefined
        if (seq !== undefined) monitor.onProbeAck(seq)
      }
    } catch {
      if (state.control === control) {
        state.control = undefined
        monitor.stop()
        if (state.monitor === monitor) state.monitor = undefined
        this.#changed(state)
      }
    }
  }

  #changed(state: LinkState): void {
    const up = state.monitor?.up === true
    state.since = Date.now()
    if (!up) state.custody?.close(new Error(`link to ${state.n.name} is down`))
    this.#o.metrics?.linkUp.set({ peer: state.n.name }, up ? 1 : 0)
    this.#o.metrics?.linkTransitions.inc({ peer: state.n.name, state: up ? 'up' : 'down' })
    this.#o.logger.info({ peer: state.n.name, up }, up ? 'link up' : 'link down')
    this.dispatchEvent(new CustomEvent('change', { detail: { peer: state.n.name, up } }))
  }

  #detach(conn: Connection): void {
    const state = this.#byPeer.get(conn.remotePeer.toString())
    if (state === undefined || state.conn !== conn) return
    const other = this.#o.host.getConnections(conn.remotePeer).find((c) => c.status === 'open')
    state.conn = undefined
    state.control?.abort(new Error('connection closed'))
    state.control = undefined
    state.custody?.close(new Error('connection closed'))
    const wasUp = state.monitor?.up === true
    state.monitor?.stop()
    state.monitor = undefined
    if (wasUp) this.#changed(state)
    if (other !== undefined) this.#attach(other)
    else this.#dial(state)
  }

  #dial(state: LinkState): void {
    if (this.#stopped || state.conn?.status === 'open') return
    if (state.n.addresses.length === 0 && !this.#o.dht) return
    clearTimeout(state.redial)
    const delay = state.attempts === 0 ? 0 : backoffDelay(this.#o.redial, state.attempts)
    state.redial = setTimeout(() => void this.#dialNow(state), delay)
    state.redial.unref()
  }

  async #dialNow(state: LinkState): Promise<void> {
    if (this.#stopped || state.conn?.status === 'open') return
    state.attempts += 1
    try {
      const addrs = state.n.addresses.map((a) => multiaddr(a).encapsulate(`/p2p/${state.n.peerId}`))
      // Known addresses first; after a failure, ask the private DHT where the member is now.
      const target = state.attempts > 1 && this.#o.dht ? await this.#lookup(state) : undefined
      const peer = peerIdFromString(state.n.peerId)
      const conn = await this.#o.host.dial(target ?? (addrs.length > 0 ? addrs : peer), {
        signal: AbortSignal.timeout(5_000),
      })
      this.#attach(conn)
    } catch (err) {
      const level = state.attempts === 1 || state.attempts % 20 === 0 ? 'info' : 'debug'
      this.#o.logger[level](
        { peer: state.n.name, attempt: state.attempts, err: (err as Error).message },
        'neighbour unreachable; redialling',
      )
      this.#dial(state)
    }
  }

  /** Current addresses of a neighbour according to the private DHT, if it knows any. */
  async #lookup(state: LinkState) {
    try {
      const info = await this.#o.host.peerRouting.findPeer(peerIdFromString(state.n.peerId), {
        signal: AbortSignal.timeout(5_000),
      })
      if (info.multiaddrs.length === 0) return undefined
      this.#o.logger.debug(
        { peer: state.n.name, addrs: info.multiaddrs.map(String) },
        'found in DHT',
      )
      return info.multiaddrs.map((a) => a.encapsulate(`/p2p/${state.n.peerId}`))
    } catch (err) {
      this.#o.logger.debug({ peer: state.n.name, err: (err as Error).message }, 'DHT lookup failed')
      return undefined
    }
  }

  #serveControl(stream: Stream, conn: Connection): void {
    const state = this.#byPeer.get(conn.remotePeer.toString())
    if (state === undefined) {
      stream.abort(new Error('not a neighbour'))
      return
    }
    void this.#readControl(new FramedStream(stream, MAX_CONTROL_FRAME_BYTES), state.n.name)
  }

  async #readControl(framed: FramedStream, from: string): Promise<void> {
    try {
      for (;;) {
        const frame = await framed.read()
        if (frame[0] === CONTROL.probe) {
          const seq = readSeq(frame)
          if (seq !== undefined)
            void framed.write(probeFrame(CONTROL.probeAck, seq)).catch(() => {})
        } else if (frame[0] === CONTROL.linkState)
          this.#o.onFlood('linkState', frame.subarray(1), from)
        else if (frame[0] === CONTROL.roster) this.#o.onFlood('roster', frame.subarray(1), from)
      }
    } catch {
      // The peer closed or broke its control stream; its link monitor notices.
    }
  }

  #serveCustody(stream: Stream, conn: Connection): void {
    const state = this.#byPeer.get(conn.remotePeer.toString())
    if (state === undefined) {
      stream.abort(new Error('not a neighbour'))
      return
    }
    this.#o.onCustodyStream(stream, state.n.name)
  }
}
