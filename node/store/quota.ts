import { LifelineError } from '../core/errors.ts'
import type { StoreLimits } from './types.ts'

/**
 * Quota accounting. Space is reserved when an accept passes the check and
 * handed back when its batch settles, so concurrent accepts cannot together
 * overshoot a quota that each alone would fit.
 */
export class Quota {
  private readonly limits: StoreLimits
  private reservedMessages = 0
  private reservedBytes = 0

  constructor(limits: StoreLimits) {
    this.limits = limits
  }

  /**
   * Reserves room for one message of `size` bytes on top of what is `held`, or
   * throws STORE_FULL naming the quota and the numbers.
   */
  reserve(held: { messages: number; bytes: number }, size: number): void {
    const { maxMessages, maxBytes } = this.limits
    const messages = held.messages + this.reservedMessages
    const bytes = held.bytes + this.reservedBytes
    if (messages + 1 > maxMessages) {
      throw new LifelineError(
        'STORE_FULL',
        `message quota reached: ${messages} of ${maxMessages} messages held`,
        { details: { quota: 'messages', held: messages, limit: maxMessages } },
      )
    }
    if (bytes + size > maxBytes) {
      throw new LifelineError(
        'STORE_FULL',
        `byte quota reached: ${bytes} bytes held plus ${size} new would exceed ${maxBytes}`,
        { details: { quota: 'bytes', held: bytes, size, limit: maxBytes } },
      )
    }
    this.reservedMessages++
    this.reservedBytes += size
  }

  /** Returns a reservation, whether its message was stored or not. */
  unreserve(size: number): void {
    this.reservedMessages--
    this.reservedBytes -= size
  }
}
