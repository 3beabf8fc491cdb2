import { createServer, type Server, type Socket } from 'node:net'
import { type Logger, silentLogger } from '../../node/core/log.ts'
import type { CutMode, Direction, LinkConditions } from '../scenario/types.ts'
import { type ConnectionLink, ProxiedConnection } from './connection.ts'
import type { LinkDirection } from './lane.ts'
import {
  NO_CONDITIONS,
  propagationDelayMs,
  type ResolvedConditions,
  TokenBucket,
} from './shaper.ts'

export type { LinkDirection } from './lane.ts'
export type { ResolvedConditions } from './shaper.ts'

export interface LinkProxyOptions {
  /** Where the far side (`b`) listens. */
  target: { host?: string; port: number }
  /** Listen host. @default '127.0.0.1' */
  host?: string
  /** Listen port; 0 picks a free one. @default 0 */
  port?: number
  /** Conditions from the start (a link's configured latency, say). */
  conditions?: LinkConditions
  /** Source of randomness for jitter and loss; pass a seeded one for repeatable drills. */
  random?: () => number
  /** Bytes one direction of one connection may hold before its sender is paused. @default 256 KiB */
  maxQueuedBytes?: number
  /** Name used in log lines, e.g. the link id. */
  name?: string
  logger?: Logger
}

export interface CutOptions {
  /** `blackhole` discards bytes silently; `reset` kills connections with RST and refuses new ones. */
  mode: CutMode
  /** Which way to cut; a reset always kills whole connections, as TCP does. @default 'both' */
  direction?: Direction
}

export interface LinkProxyStats {
  /** Bytes handed to the far side, per direction. */
  bytes: Record<LinkDirection, number>
  /** Bytes discarded by blackholes, per direction. */
  discarded: Record<LinkDirection, number>
  connections: {
    /** Connections accepted (and dialled upstream) since start. */
    total: number
    /** Connections open now. */
    active: number
    /** Connections reset on arrival because the link was cut with `reset`. */
    refused: number
  }
}

/**
 * A TCP proxy standing in for one overlay link between two gateways, with
 * conditions that change at runtime: cuts (blackhole or reset, per
 * direction), latency, jitter, loss and a bandwidth cap. See shaper.ts for how
 * loss is modelled on a byte stream.
 */
export class LinkProxy {
  readonly name: string
  readonly #target: { host: string; port: number }
  readonly #server: Server
  readonly #log: Logger
  readonly #random: () => number
  readonly #maxQueuedBytes: number
  readonly #connections = new Set<ProxiedConnection>()
  readonly #buckets = new Map<LinkDirection, TokenBucket>()
  readonly #stats: LinkProxyStats = {
    bytes: { 'a-to-b': 0, 'b-to-a': 0 },
    discarded: { 'a-to-b': 0, 'b-to-a': 0 },
    connections: { total: 0, active: 0, refused: 0 },
  }
  readonly #host: string
  #port: number
  #conditions: ResolvedConditions = { ...NO_CONDITIONS }
  #cut: Required<CutOptions> | undefined

  constructor(options: LinkProxyOptions) {
    this.name = options.name ?? `proxy->${options.target.port}`
    this.#target = { host: options.target.host ?? '127.0.0.1', port: options.target.port }
    this.#host = options.host ?? '127.0.0.1'
    this.#port = options.port ?? 0
    this.#log = (options.logger ?? silentLogger()).child({
      component: 'link-proxy',
      link: this.name,
    })
    this.#random = options.random ?? Math.random
    this.#maxQueuedBytes = options.maxQueuedBytes ?? 256 * 1024
    if (options.conditions !== undefined) this.#apply(options.conditions)
    this.#server = createServer({ allowHalfOpen: true }, (socket) => this.#accept(socket))
  }

  /** Starts listening; resolves with the port. */
  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject)
      this.#server.listen(this.#port, this.#host, () => {
        this.#server.off('error', reject)
        const address = this.#server.address()
        if (address !== null && typeof address === 'object') this.#port = address.port
        resolve(this.#port)
      })
    })
  }

  /** Where clients dial this link. */
  get address(): { host: string; port: number } {
    return { host: this.#host, port: this.#port }
  }

  get conditions(): Readonly<ResolvedConditions> {
    return { ...this.#conditions }
  }

  /** The cut in force, if any. */
  get cutState(): Readonly<Required<CutOptions>> | undefined {
    return this.#cut === undefined ? undefined : { ...this.#cut }
  }

  cut(options: CutOptions): void {
    this.#cut = { mode: options.mode, direction: options.direction ?? 'both' }
    this.#log.info({ mode: this.#cut.mode, direction: this.#cut.direction }, 'link cut')
    if (this.#cut.mode === 'reset') {
      for (const connection of this.#connections) connection.reset()
    }
  }

  /**
   * Lifts the cut. Connections that lost an end of stream or a reset while cut
   * are reset now: both sides would otherwise hold a stream with a hole in it.
   */
  restore(): void {
    if (this.#cut === undefined) return
    this.#cut = undefined
    this.#log.info('link restored')
    for (const connection of this.#connections) {
      if (connection.broken) connection.reset()
    }
  }

  /** Changes conditions; absent fields keep their value, `bandwidthBps: 0` lifts the cap. */
  degrade(conditions: LinkConditions): void {
    this.#apply(conditions)
    this.#log.info({ conditions: this.#conditions }, 'link conditions changed')
  }

  stats(): LinkProxyStats {
    const s = this.#stats
    return {
      bytes: { ...s.bytes },
      discarded: { ...s.discarded },
      connections: { ...s.connections, active: this.#connections.size },
    }
  }

  /** Stops listening and drops every connection. */
  close(): Promise<void> {
    for (const connection of this.#connections) connection.destroy()
    this.#connections.clear()
    return new Promise((resolve) => {
      if (!this.#server.listening) resolve()
      else this.#server.close(() => resolve())
    })
  }

  #apply(conditions: LinkConditions): void {
    const next = { ...this.#conditions }
    if (conditions.latencyMs !== undefined) next.latencyMs = conditions.latencyMs
    if (conditions.jitterMs !== undefined) next.jitterMs = conditions.jitterMs
    if (conditions.lossRatio !== undefined) next.lossRatio = conditions.lossRatio
    if (conditions.bandwidthBps !== undefined) {
      next.bandwidthBps = conditions.bandwidthBps > 0 ? conditions.bandwidthBps : undefined
      this.#buckets.clear()
      if (next.bandwidthBps !== undefined) {
        for (const d of ['a-to-b', 'b-to-a'] as const) {
          this.#buckets.set(d, new TokenBucket(next.bandwidthBps))
        }
      }
    }
    this.#conditions = next
  }

  #accept(socket: Socket): void {
    if (this.#cut?.mode === 'reset') {
      this.#stats.connections.refused++
      socket.on('error', () => {})
      socket.resetAndDestroy()
      return
    }
    this.#stats.connections.total++
    this.#connections.add(
      new ProxiedConnection(socket, this.#target, this.#hooks, this.#maxQueuedBytes),
    )
  }

  readonly #hooks: ConnectionLink = {
    isCut: (direction) => this.#isCut(direction),
    schedule: (direction, bytes, now) => {
      const wait = this.#buckets.get(direction)?.reserve(bytes, now) ?? 0
      return now + wait + propagationDelayMs(this.#conditions, this.#random, bytes)
    },
    delivered: (direction, bytes) => {
      this.#stats.bytes[direction] += bytes
    },
    discarded: (direction, bytes) => {
      this.#stats.discarded[direction] += bytes
    },
    closed: (connection) => {
      this.#connections.delete(connection)
    },
  }

  #isCut(direction: LinkDirection): boolean {
    const cut = this.#cut
    return cut !== undefined && (cut.direction === 'both' || cut.direction === direction)
  }
}
