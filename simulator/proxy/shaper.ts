/**
 * The timing model of a degraded link, kept free of sockets so it can be
 * tested on its own.
 *
 * TCP is a byte stream, so the proxy can never drop bytes without corrupting
 * what the peer reads. Packet loss is therefore modelled the way TCP
 * experiences it: a lost segment is sent again after a retransmission
 * timeout, so a chunk that "loses a packet" arrives late by that timeout, and
 * everything behind it on the same connection waits too (head-of-line
 * blocking). A chunk counts as one packet per started 1460 bytes (an Ethernet
 * MSS), each lost independently; at most one timeout is charged per chunk.
 * The model is kinder than real TCP, which also halves its sending rate after
 * a loss. Latency and jitter delay each chunk; the bandwidth cap is a token
 * bucket per direction shared by every connection on the link.
 */

/** Conditions of one link, with every field resolved. */
export interface ResolvedConditions {
  /** One-way delay added to each chunk, in ms. */
  latencyMs: number
  /** Each chunk's delay varies uniformly by up to this much either way, in ms. */
  jitterMs: number
  /** Chance in [0, 1] that a chunk needs a retransmission. */
  lossRatio: number
  /** Cap in bits per second; undefined means no cap. */
  bandwidthBps: number | undefined
}

export const NO_CONDITIONS: ResolvedConditions = {
  latencyMs: 0,
  jitterMs: 0,
  lossRatio: 0,
  bandwidthBps: undefined,
}

/** Linux never retransmits sooner than this (its minimum RTO). */
export const MIN_RETRANSMIT_MS = 200

/**
 * Retransmission timeout charged to a "lost" chunk: the 200 ms floor plus one
 * round trip, roughly what a Linux sender with a settled RTT estimate waits.
 */
export function retransmitDelayMs(latencyMs: number): number {
  return MIN_RETRANSMIT_MS + 2 * latencyMs
}

/**
/** Bytes per packet when a chunk is split into packets for the loss model. */
export const PACKET_BYTES = 1460

/** Chance that a chunk of `bytes` loses at least one of its packets. */
export function chunkLossRatio(lossRatio: number, bytes: number): number {
  const packets = Math.max(1, Math.ceil(bytes / PACKET_BYTES))
  return 1 - (1 - lossRatio) ** packets
}

/**
 * Propagation delay of one chunk: latency, plus jitter, plus a retransmission
 * timeout when one of its packets is chosen as lost. Never negative.
 */
export function propagationDelayMs(c: ResolvedConditions, random: () => number, bytes = 1): number {
  let delay = c.latencyMs
  if (c.jitterMs > 0) delay += (2 * random() - 1) * c.jitterMs
  if (c.lossRatio > 0 && random() < chunkLossRatio(c.lossRatio, bytes)) {
    delay += retransmitDelayMs(c.latencyMs)
  }
  return Math.max(0, delay)
}

/**
 * A token bucket in bytes that may go into debt: a reservation larger than
 * the tokens at hand is granted at once but returns how long the bytes must
 * wait, and later reservations queue behind that debt. This serialises the
 * link in arrival order, like the transmit queue of a slow line.
 */
export class TokenBucket {
  readonly bytesPerSecond: number
  readonly burstBytes: number
  #tokens: number
  #at: number

  /**
   * @param bitsPerSecond the sustained rate
   * @param burstBytes bytes that may leave at once after an idle spell
   */
  constructor(bitsPerSecond: number, burstBytes = 16 * 1024, now = performance.now()) {
    if (!(bitsPerSecond > 0)) throw new RangeError('bandwidth must be above 0 bits per second')
    this.bytesPerSecond = bitsPerSecond / 8
    this.burstBytes = burstBytes
    this.#tokens = burstBytes
    this.#at = now
  }

  /** Takes `bytes` tokens at time `now` (ms) and returns the wait in ms before they may leave. */
  reserve(bytes: number, now: number): number {
    const elapsed = Math.max(0, now - this.#at)
    this.#tokens = Math.min(this.burstBytes, this.#tokens + (elapsed / 1000) * this.bytesPerSecond)
    this.#at = Math.max(this.#at, now)
    this.#tokens -= bytes
    return this.#tokens >= 0 ? 0 : (-this.#tokens / this.bytesPerSecond) * 1000
  }
}
