import { TypedEventEmitter } from 'main-event'
import type { Logger } from '../core/log.ts'
import { ProbeWindow } from './probe-window.ts'

/** One probe to echo back; the monitor matches the echo by `seq`. */
export interface Probe {
  seq: number
  /** Sender's clock, milliseconds; informational for the far end. */
  sentAt: number
}

export type LinkState = 'up' | 'down'

export interface LinkMonitorInit {
  /** Interval between probes (config `link.probeInterval`). */
  probeIntervalMs: number
  /** Silence after which the link is declared down (config `link.downAfter`). */
  downAfterMs: number
  /** Sends one probe; the caller echoes answers back through `onProbeAck`. Errors count as loss. */
  send: (probe: Probe) => void
  /**
   * Probes over which loss is measured.
   * @default 20
   */
  lossWindow?: number
  /**
   * A probe unanswered for this long counts as lost.
   * @default downAfterMs
   */
  lossTimeoutMs?: number
  /**
   * Weight of each new RTT sample in the smoothed RTT (as TCP's SRTT).
   * @default 0.125
   */
  rttAlpha?: number
  /**
   * Answers needed to bring a down link back up. More than one damps a
   * flapping link at the cost of slower recovery.
   * @default 1
   */
  upAfterAcks?: number
  /**
   * Time constant of the throughput average, milliseconds.
   * @default 1000
   */
  throughputWindowMs?: number
  /** Clock in milliseconds; injectable for tests. @default Date.now */
  now?: () => number
  logger?: Logger
}

export interface LinkTransition {
  state: LinkState
  previous: LinkState
  /** Why: `answered`, `silent for N ms`, or what the caller passed to `markDown`. */
  reason: string
  at: number
}

export interface LinkStats {
  state: LinkState
  /** Smoothed RTT in milliseconds; undefined before the first answer. */
  rttMs: number | undefined
  /** Fraction of recent settled probes unanswered. */
  loss: number
  /** Payload bytes per second sent over the link, smoothed. */
  throughputBytesPerSecond: number
  /** When the last answer arrived; undefined if none has. */
  lastAckAt: number | undefined
}

export interface LinkMonitorEvents {
  state: CustomEvent<LinkTransition>
}

/**
 * Watches one neighbour link, independent of transport: sends a probe every
 * interval, measures RTT and loss from the echoes, and declares the link
 * down when no echo has come back for `downAfterMs`. That also catches a
 * blackhole, where the connection stays open but nothing arrives. A link
 * starts down and comes up with its first answer.
 */
/** Silence of this many smoothed round trips counts as down on links slower than the bound. */
const RTT_MULTIPLIER = 3

export class LinkMonitor extends TypedEventEmitter<LinkMonitorEvents> {
  readonly #init: Required<Omit<LinkMonitorInit, 'logger'>>
  readonly #log: Logger | undefined
  readonly #probes: ProbeWindow
  #state: LinkState = 'down'
  #rttMs: number | undefined
  #lastAckAt: number | undefined
  #acksWhileDown = 0
  #throughput = 0
  #trafficBytes = 0
  #trafficSince: number
  #probeTimer: ReturnType<typeof setInterval> | undefined
  #silenceTimer: ReturnType<typeof setTimeout> | undefined
  /** The current silence already got its one extension for a local stall. */
  #extended = false

  constructor(init: LinkMonitorInit) {
    super()
    if (!(init.probeIntervalMs > 0) || !(init.downAfterMs > 0)) {
      throw new RangeError('probe interval and down-after must be positive')
    }
    this.#init = {
      lossWindow: 20,
      lossTimeoutMs: init.downAfterMs,
      rttAlpha: 0.125,
      upAfterAcks: 1,
      throughputWindowMs: 1000,
      now: () => Date.now(),
      ...init,
    }
    this.#log = init.logger
    this.#probes = new ProbeWindow(this.#init.lossWindow)
    this.#trafficSince = this.#init.now()
  }

  get state(): LinkState {
    return this.#state
  }

  /** Starts probing at once and then every interval. Idempotent. */
  start(): void {
    if (this.#probeTimer !== undefined) return
    this.#trafficSince = this.#init.now()
    this.#probeTimer = setInterval(() => this.#tick(), this.#init.probeIntervalMs)
    this.#probeTimer.unref?.()
    this.#tick()
  }

  /** Stops all timers. The state and statistics stay readable. */
  stop(): void {
    clearInterval(this.#probeTimer)
    clearTimeout(this.#silenceTimer)
    this.#probeTimer = undefined
    this.#silenceTimer = undefined
  }

  #tick(): void {
    const now = this.#init.now()
    this.#updateThroughput(now)
    const seq = this.#probes.add(now)
    try {
      this.#init.send({ seq, sentAt: now })
    } catch (err) {
      // The probe counts as lost; silence detection decides what it means.
      this.#log?.debug({ err, seq }, 'probe could not be sent')
    }
  }

  /** An echo of probe `seq` arrived. Unknown or repeated sequence numbers are ignored. */
  onProbeAck(seq: number): void {
    if (!this.#probes.wasSent(seq)) return
    const now = this.#init.now()
    const sentAt = this.#probes.answer(seq)
    if (sentAt === undefined) return
    const sample = Math.max(0, now - sentAt)
    const alpha = this.#init.rttAlpha
    this.#rttMs = this.#rttMs === undefined ? sample : (1 - alpha) * this.#rttMs + alpha * sample
    this.#lastAckAt = now
    this.#extended = false
    this.#armSilenceTimer(this.#downAfter())
    if (this.#state === 'down' && ++this.#acksWhileDown >= this.#init.upAfterAcks) {
      this.#transition('up', 'answered', now)
    }
  }

  /**
   * The neighbour acknowledged something we sent (a custody ack): proof that
   * both directions carry bytes, even while probes wait behind bulk data on a
   * saturated narrow link. Keeps an up link up; only probe answers bring a
   * down link up, and only they give RTT samples.
   */
  onActivity(): void {
    if (this.#state !== 'up') return
    this.#lastAckAt = this.#init.now()
    this.#armSilenceTimer(this.#init.downAfterMs)
  }

  /** `bytes` of payload were sent over the link (feeds the throughput estimate). */
  onTraffic(bytes: number): void {
    if (Number.isFinite(bytes) && bytes > 0) this.#trafficBytes += bytes
  }

  /** Declares the link down now, e.g. when the connection closed or was reset. */
  markDown(reason: string): void {
    clearTimeout(this.#silenceTimer)
    this.#silenceTimer = undefined
    if (this.#state === 'up') this.#transition('down', reason, this.#init.now())
  }

  /**
   * Fires when the last answer is `downAfterMs` old. Answers arriving in
   * between do not touch the timer; on firing it re-arms for the remainder.
   */
  #armSilenceTimer(delay: number): void {
    if (this.#silenceTimer !== undefined || this.#probeTimer === undefined) return
    const due = this.#init.now() + delay
    this.#silenceTimer = setTimeout(() => {
      const late = this.#init.now() - due
      // Let I/O that queued while this process was busy (answers already in the
      // socket buffer) be read before judging the link by its silence: a timer
      // set from a timer runs after the next poll for I/O.
      this.#silenceTimer = setTimeout(() => this.#judgeSilence(late), 0)
    }, delay)
    this.#silenceTimer.unref?.()
  }

  #judgeSilence(lateMs: number): void {
    this.#silenceTimer = undefined
    if (this.#probeTimer === undefined) return
    const now = this.#init.now()
    const silent = now - (this.#lastAckAt ?? now)
    const limit = this.#downAfter()
    if (silent < limit) {
      this.#armSilenceTimer(limit - silent)
    } else if (lateMs > limit / 2 && !this.#extended) {
      // This process itself stalled for much of the window (CPU starvation, a long
      // GC): the silence may be ours, not the link's. Once per silence, the link
      // gets one more half window; a second stall does not save it.
      this.#extended = true
      this.#armSilenceTimer(limit / 2)
    } else if (this.#state === 'up') this.#transition('down', `silent for ${silent} ms`, now)
  }

  /**
   * Silence that means down: the configured bound, or three smoothed round
   * trips on a slow link (a satellite or degraded microwave backup), whichever
   * is longer, so a link that is merely slow is not mistaken for a dead one.
   */
  #downAfter(): number {
    return Math.max(this.#init.downAfterMs, RTT_MULTIPLIER * (this.#rttMs ?? 0))
  }

  #transition(state: LinkState, reason: string, at: number): void {
    const previous = this.#state
    this.#state = state
    this.#acksWhileDown = 0
    this.safeDispatchEvent('state', { detail: { state, previous, reason, at } })
  }

  #updateThroughput(now: number): void {
    const elapsed = now - this.#trafficSince
    if (elapsed <= 0) return
    const rate = (this.#trafficBytes * 1000) / elapsed
    const weight = 1 - Math.exp(-elapsed / this.#init.throughputWindowMs)
    this.#throughput += weight * (rate - this.#throughput)
    this.#trafficBytes = 0
    this.#trafficSince = now
  }

  stats(): LinkStats {
    const now = this.#init.now()
    return {
      state: this.#state,
      rttMs: this.#rttMs,
      loss: this.#probes.loss(now, this.#init.lossTimeoutMs),
      throughputBytesPerSecond: this.#throughput,
      lastAckAt: this.#lastAckAt,
    }
  }
}
