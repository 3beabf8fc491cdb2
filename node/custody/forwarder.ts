import { type Envelope, encodeEnvelope } from '../core/envelope.ts'
import type { Logger } from '../core/log.ts'
import type { Metrics } from '../metrics/catalogue.ts'
import type { CustodyStore, QueuedMessage } from '../store/types.ts'
import { type BackoffPolicy, backoffDelay } from './backoff.ts'
import type { CustodyChannel } from './channel.ts'
import type { CustodyAck } from './wire.ts'

/** Where the forwarder may send an envelope next, best first. */
export interface NextHopSource {
  /** Up neighbours towards `env.core.dst`, ranked, never one the envelope already visited. */
  candidates(env: Envelope): string[]
  /** A neighbour chosen by path weight, for spreading bulk traffic. */
  weighted(env: Envelope): string | undefined
  /** Up neighbours some path towards `dst` starts with, best first (for capacity planning). */
  towards(dst: string): string[]
  /** Two first hops on node-disjoint paths plus the second path's remaining hops, if any. */
  disjointPair(env: Envelope): { first: string; second: string; secondVia: string[] } | undefined
}

export interface ChannelSource {
  channel(peer: string): Promise<CustodyChannel | undefined>
}

/** Outcomes the gateway reacts to (status records, metrics, receipts). */
export interface ForwardingEvents {
  forwarded(msg: QueuedMessage, hop: string, ack: CustodyAck): void
  refused(msg: QueuedMessage, hop: string, ack: CustodyAck): void
  expired(msg: QueuedMessage): void
}

export interface ForwarderOptions {
  self: string
  store: CustodyStore
  hops: NextHopSource
  channels: ChannelSource
  events: ForwardingEvents
  retry: BackoffPolicy
  /**
   * Transfers in flight per next hop. Each neighbour has its own window, so a
   * slow path full of unacknowledged transfers never holds back a fast one.
   */
  window?: number
  logger: Logger
  metrics?: Metrics
}

/** Ack codes after which retrying over another hop is pointless: the envelope itself is refused. */
const FINAL_REFUSALS = new Set(['EXPIRED', 'BAD_SIGNATURE', 'REPLAYED', 'UNKNOWN_DESTINATION'])

interface RetryState {
  attempts: number
  /** Hops that failed this message recently; tried last. */
  avoid: Set<string>
  timer?: NodeJS.Timeout
}

/**
 * Moves outbound messages towards their destinations, hop by hop. A message
 * leaves the store only when a next hop acknowledges custody; every failure
 * leaves it queued and schedules a retry (immediately over another hop when one
 * is up, else with backoff). A destination with no usable hop simply waits:
 * `wakeAll()` on any link or route change sends its backlog at once.
 */
export class Forwarder {
  readonly #o: ForwarderOptions
  readonly #window: number
  /** Ids in flight or waiting out a backoff: excluded from `peek`. */
  readonly #busy = new Set<string>()
  readonly #retries = new Map<string, RetryState>()
  readonly #inflight = new Map<string, number>()
  /** Transfers in flight per next hop. */
  readonly #hopLoad = new Map<string, number>()
  /** Destinations waiting for a window to open on one of their next hops. */
  readonly #blocked = new Set<string>()
  readonly #pumping = new Set<string>()
  readonly #dirty = new Set<string>()
  /** Destinations whose queue head found no usable hop: left alone until the next `wakeAll()`. */
  readonly #parked = new Set<string>()
  #stopped = false

  constructor(options: ForwarderOptions) {
    this.#o = options
    this.#window = options.window ?? 128
  }

  wake(dst: string): void {
    if (!this.#stopped && !this.#parked.has(dst)) void this.#pump(dst)
  }

  /**
   * Links or routes changed: every destination gets another look, and messages
   * waiting out a backoff go at once, since what they waited for may be back.
   */
  wakeAll(): void {
    this.#parked.clear()
    for (const [id, state] of this.#retries) {
      if (state.timer === undefined) continue
      clearTimeout(state.timer)
      state.timer = undefined
      state.avoid.clear()
      this.#busy.delete(id)
    }
    for (const dst of this.#o.store.destinations()) this.wake(dst)
  }

  stop(): void {
    this.#stopped = true
    for (const state of this.#retries.values()) clearTimeout(state.timer)
  }

  get inFlight(): number {
    let total = 0
    for (const n of this.#inflight.values()) total += n
    return total
  }

  async #pump(dst: string): Promise<void> {
    if (this.#pumping.has(dst)) {
      this.#dirty.add(dst)
      return
    }
    this.#pumping.add(dst)
    try {
      do {
        this.#dirty.delete(dst)
        const room = this.#room(dst)
        if (room <= 0 || this.#stopped) {
          if (room <= 0) this.#blocked.add(dst)
          break
        }
        const batch = await this.#o.store.peek(dst, room, this.#busy)
        for (const msg of batch) this.#dispatch(dst, msg)
        if (batch.length === room) this.#dirty.add(dst)
      } while (this.#dirty.has(dst) && !this.#stopped)
    } catch (err) {
      this.#o.logger.error({ err, dst }, 'forwarding pump failed; will retry on next wake')
    } finally {
      this.#pumping.delete(dst)
    }
  }

  /** How many more transfers towards `dst` the open windows of its next hops allow. */
  #room(dst: string): number {
    const hops = this.#o.hops.towards(dst)
    if (hops.length === 0) {
      // No usable hop: one message at a time goes through #send, finds none and parks the queue.
      return (this.#inflight.get(dst) ?? 0) === 0 ? 1 : 0
    }
    let room = 0
    for (const hop of hops) room += Math.max(0, this.#window - (this.#hopLoad.get(hop) ?? 0))
    return Math.min(room, 2 * this.#window)
  }

  #dispatch(dst: string, msg: QueuedMessage): void {
    const id = msg.env.core.id
    this.#busy.add(id)
    this.#inflight.set(dst, (this.#inflight.get(dst) ?? 0) + 1)
    this.#send(msg)
      .catch((err: Error) => this.#o.logger.error({ err, id }, 'forwarding failed unexpectedly'))
      .finally(() => {
        this.#inflight.set(dst, (this.#inflight.get(dst) ?? 1) - 1)
        if (!this.#retries.get(id)?.timer) this.#busy.delete(id)
        this.wake(dst)
      })
  }

  async #send(msg: QueuedMessage): Promise<void> {
    const { env } = msg
    if (env.core.expiresAt <= Date.now()) {
      await this.#expire(msg)
      return
    }
    const pair = this.#isFreshCritical(env) ? this.#o.hops.disjointPair(env) : undefined
    if (pair !== undefined) {
      await this.#sendCopies(msg, pair)
      return
    }
    const hop = this.#chooseHop(msg)
    if (hop === 'full') {
      this.#blocked.add(env.core.dst)
      this.#forget(env.core.id)
      return
    }
    if (hop === undefined) {
      this.#o.logger.trace({ id: env.core.id, dst: env.core.dst }, 'no usable next hop; waiting')
      this.#parked.add(env.core.dst)
      this.#forget(env.core.id)
      return
    }
    const ack = await this.#transfer(hop, env)
    await this.#settle(msg, hop, ack)
  }

  /** A critical message still at its source travels as two copies over disjoint paths. */
  #isFreshCritical(env: Envelope): boolean {
    return env.core.priority === 'critical' && env.route.hops === 0 && env.core.src === this.#o.self
  }

  async #sendCopies(
    msg: QueuedMessage,
    pair: { first: string; second: string; secondVia: string[] },
  ): Promise<void> {
    const second: Envelope = {
      ...msg.env,
      route: { ...msg.env.route, copy: 1, via: pair.secondVia },
    }
    const [a, b] = await Promise.all([
      this.#transfer(pair.first, msg.env),
      this.#transfer(pair.second, second),
    ])
    // One acknowledged copy discharges the obligation; the other is a bonus.
    if (a !== undefined && a.result !== 'busy' && a.result !== 'rejected') {
      await this.#settle(msg, pair.first, a)
    } else await this.#settle(msg, pair.second, b?.result === 'rejected' ? a : b)
  }

  #open(hop: string): boolean {
    return (this.#hopLoad.get(hop) ?? 0) < this.#window
  }

  /**
   * The hop to try: undefined when none is usable, `full` when every usable one is at
   * its window.
   */
  #chooseHop(msg: QueuedMessage): string | undefined | 'full' {
    const { env } = msg
    const avoid = this.#retries.get(env.core.id)?.avoid
    let ranked = this.#o.hops.candidates(env)
    if (ranked.length === 0) return undefined
    const via = env.route.via?.[0]
    if (via !== undefined && ranked.includes(via))
      ranked = [via, ...ranked.filter((h) => h !== via)]
    else if (env.core.priority === 'bulk') {
      const pick = this.#o.hops.weighted(env)
      if (pick !== undefined) ranked = [pick, ...ranked.filter((h) => h !== pick)]
    }
    const open = ranked.filter((h) => this.#open(h))
    if (open.length === 0) return 'full'
    return open.find((h) => avoid?.has(h) !== true) ?? open[0]
  }

  /** One transfer attempt; undefined when it failed (no channel, timeout, broken stream). */
  async #transfer(hop: string, env: Envelope): Promise<CustodyAck | undefined> {
    this.#hopLoad.set(hop, (this.#hopLoad.get(hop) ?? 0) + 1)
    try {
      return await this.#attempt(hop, env)
    } finally {
      this.#hopLoad.set(hop, (this.#hopLoad.get(hop) ?? 1) - 1)
      // A window opened: destinations that were waiting for one get another look.
      for (const dst of this.#blocked) this.wake(dst)
      this.#blocked.clear()
    }
  }

  async #attempt(hop: string, env: Envelope): Promise<CustodyAck | undefined> {
    const channel = await this.#o.channels.channel(hop)
    if (channel === undefined) return undefined
    const via = env.route.via
    const outgoing: Envelope =
      via !== undefined && via[0] === hop
        ? { ...env, route: { ...env.route, via: via.slice(1) } }
        : env
    try {
      const ack = await channel.transfer(env.core.id, encodeEnvelope(outgoing))
      return ack
    } catch (err) {
      this.#o.logger.debug({ id: env.core.id, hop, err: (err as Error).message }, 'transfer failed')
      return undefined
    }
  }

  async #settle(msg: QueuedMessage, hop: string, ack: CustodyAck | undefined): Promise<void> {
    const id = msg.env.core.id
    if (ack?.result === 'accepted' || ack?.result === 'duplicate') {
      this.#forget(id)
      await this.#o.store.release(id)
      this.#o.events.forwarded(msg, hop, ack)
      return
    }
    if (ack?.result === 'rejected' && FINAL_REFUSALS.has(ack.code ?? '')) {
      this.#forget(id)
      if (ack.code === 'EXPIRED') await this.#expire(msg)
      else {
        await this.#o.store.expire(id)
        this.#o.events.refused(msg, hop, ack)
      }
      return
    }
    this.#scheduleRetry(msg, hop, ack)
  }

  #scheduleRetry(msg: QueuedMessage, hop: string, ack: CustodyAck | undefined): void {
    const id = msg.env.core.id
    const state = this.#retries.get(id) ?? { attempts: 0, avoid: new Set<string>() }
    state.attempts += 1
    state.avoid.add(hop)
    this.#retries.set(id, state)
    this.#o.metrics?.custodyRetries.inc({ stage: 'transfer' })
    const others = this.#o.hops.candidates(msg.env).filter((h) => !state.avoid.has(h))
    // Another hop is up: fail over at once instead of waiting out a backoff.
    const delay = others.length > 0 ? 0 : backoffDelay(this.#o.retry, state.attempts)
    if (ack !== undefined) {
      this.#o.logger.debug({ id, hop, result: ack.result, code: ack.code, delay }, 'custody retry')
    }
    state.timer = setTimeout(() => {
      state.timer = undefined
      this.#busy.delete(id)
      if (others.length === 0) state.avoid.clear()
      this.wake(msg.env.core.dst)
    }, delay)
    state.timer.unref()
  }

  #forget(id: string): void {
    const state = this.#retries.get(id)
    if (state?.timer) clearTimeout(state.timer)
    this.#retries.delete(id)
  }

  async #expire(msg: QueuedMessage): Promise<void> {
    this.#forget(msg.env.core.id)
    const removed = await this.#o.store.expire(msg.env.core.id)
    if (removed !== undefined) this.#o.events.expired(msg)
  }
}
