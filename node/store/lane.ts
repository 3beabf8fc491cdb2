import type { Priority } from '../core/envelope.ts'
import type { Place } from './types.ts'

/** What the in-memory index knows about one queued message; the envelope stays on disk. */
export interface IndexEntry {
  readonly id: string
  readonly place: Place
  /** Destination gateway (for inbound messages, this gateway itself). */
  readonly dst: string
  readonly priority: Priority
  /** Encoded size, as counted against the byte quota. */
  readonly bytes: number
  readonly expiresAt: number
  /** Set when the entry leaves the index; lanes and the expiry heap drop it lazily. */
  removed: boolean
}

/** Dead entries a lane tolerates before it considers compacting. */
const COMPACT_MIN_DEAD = 1024

/**
 * One queue's entries, sorted by id (oldest first). Removal only marks an entry
 * and moves the head past dead entries, so releasing the oldest message — the
 * common case — costs O(1); the array is compacted once dead entries outnumber
 * live ones. Inserts append in O(1) when ids arrive in order, which they mostly
 * do, and otherwise splice at the binary-searched position.
 */
export class Lane {
  messages = 0
  bytes = 0
  private items: IndexEntry[] = []
  private head = 0
  private dead = 0

  insert(entry: IndexEntry): void {
    this.messages++
    this.bytes += entry.bytes
    const items = this.items
    const last = items[items.length - 1]
    if (last === undefined || last.id <= entry.id) {
      items.push(entry)
      return
    }
    let lo = this.head
    let hi = items.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (items[mid]!.id <= entry.id) lo = mid + 1
      else hi = mid
    }
    items.splice(lo, 0, entry)
  }

  /** Forgets `entry`, which the caller has already marked `removed`. */
  remove(entry: IndexEntry): void {
    this.messages--
    this.bytes -= entry.bytes
    if (this.messages === 0) {
      this.items = []
      this.head = 0
      this.dead = 0
      return
    }
    this.dead++
    while (this.items[this.head]?.removed === true) this.head++
    if (this.dead > COMPACT_MIN_DEAD && this.dead > this.messages) this.compact()
  }

  /** Appends up to `limit` live entries to `out`, oldest first, skipping ids in `exclude`. */
  take(limit: number, exclude: ReadonlySet<string> | undefined, out: IndexEntry[]): void {
    const items = this.items
    for (let i = this.head; i < items.length && out.length < limit; i++) {
      const entry = items[i]!
      if (!entry.removed && exclude?.has(entry.id) !== true) out.push(entry)
    }
  }

  private compact(): void {
    this.items = this.items.filter((entry) => !entry.removed)
    this.head = 0
    this.dead = 0
  }
}
