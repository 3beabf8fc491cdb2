/**
 * The most recent probes sent on one link, in a ring indexed by sequence
 * number: when each was sent and whether it was answered. Loss is measured
 * over these; probes still within their answer timeout are left out.
 */
export class ProbeWindow {
  readonly #size: number
  readonly #sentAt: Float64Array
  readonly #answered: Uint8Array
  /** Sequence number of the newest probe; 0 before the first. */
  #last = 0

  constructor(size: number) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError('probe window must hold >= 1')
    this.#size = size
    this.#sentAt = new Float64Array(size)
    this.#answered = new Uint8Array(size)
  }

  get lastSeq(): number {
    return this.#last
  }

  /** Records a new probe and returns its sequence number (1, 2, ...). */
  add(sentAt: number): number {
    const seq = ++this.#last
    const slot = seq % this.#size
    this.#sentAt[slot] = sentAt
    this.#answered[slot] = 0
    return seq
  }

  /** Whether `seq` was sent at some point (answers to unsent probes are bogus). */
  wasSent(seq: number): boolean {
    return Number.isSafeInteger(seq) && seq >= 1 && seq <= this.#last
  }

  /**
   * Marks `seq` answered and returns when it was sent, or undefined when it
   * has left the window or was answered already (a duplicate).
   */
  answer(seq: number): number | undefined {
    if (!this.wasSent(seq) || seq <= this.#last - this.#size) return undefined
    const slot = seq % this.#size
    if (this.#answered[slot] === 1) return undefined
    this.#answered[slot] = 1
    return this.#sentAt[slot]
  }

  /**
   * Fraction of the settled probes in the window that went unanswered: a probe
   * is settled once answered or once `timeoutMs` has passed since it was sent.
   */
  loss(now: number, timeoutMs: number): number {
    let settled = 0
    let lost = 0
    const first = Math.max(1, this.#last - this.#size + 1)
    for (let seq = first; seq <= this.#last; seq++) {
      const slot = seq % this.#size
      if (this.#answered[slot] === 1) settled++
      else if (now - this.#sentAt[slot]! >= timeoutMs) {
        settled++
        lost++
      }
    }
    return settled === 0 ? 0 : lost / settled
  }
}
