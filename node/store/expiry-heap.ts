import type { IndexEntry } from './lane.ts'

/** Dead entries the heap tolerates before it considers rebuilding. */
const REBUILD_MIN_DEAD = 1024

/**
 * Queued entries ordered by expiry, so a sweep touches only what is due. Most
 * messages leave long before they expire; their entries stay here, marked
 * removed, until popped or until they outnumber the live ones and the heap is
 * rebuilt from the live ones alone.
 */
export class ExpiryHeap {
  private heap: IndexEntry[] = []
  private dead = 0

  push(entry: IndexEntry): void {
    this.heap.push(entry)
    this.up(this.heap.length - 1)
  }

  /** Notes that an entry still in the heap was marked removed. */
  noteRemoved(): void {
    this.dead++
    if (this.dead > REBUILD_MIN_DEAD && this.dead * 2 > this.heap.length) this.rebuild()
  }

  /** Pops every live entry with `expiresAt <= now`, soonest first. */
  popDue(now: number): IndexEntry[] {
    const due: IndexEntry[] = []
    for (let top = this.heap[0]; top !== undefined && top.expiresAt <= now; top = this.heap[0]) {
      this.pop()
      if (top.removed) this.dead--
      else due.push(top)
    }
    return due
  }

  private pop(): void {
    const last = this.heap.pop()
    if (last === undefined || this.heap.length === 0) return
    this.heap[0] = last
    this.down(0)
  }

  private rebuild(): void {
    this.heap = this.heap.filter((entry) => !entry.removed)
    this.dead = 0
    for (let i = (this.heap.length >>> 1) - 1; i >= 0; i--) this.down(i)
  }

  private up(at: number): void {
    const heap = this.heap
    const entry = heap[at]!
    while (at > 0) {
      const parent = (at - 1) >>> 1
      if (heap[parent]!.expiresAt <= entry.expiresAt) break
      heap[at] = heap[parent]!
      at = parent
    }
    heap[at] = entry
  }

  private down(at: number): void {
    const heap = this.heap
    const entry = heap[at]!
    for (;;) {
      let child = 2 * at + 1
      if (child >= heap.length) break
      const right = child + 1
      if (right < heap.length && heap[right]!.expiresAt < heap[child]!.expiresAt) child = right
      if (heap[child]!.expiresAt >= entry.expiresAt) break
      heap[at] = heap[child]!
      at = child
    }
    heap[at] = entry
  }
}
