import { PRIORITIES } from '../core/envelope.ts'
import { ExpiryHeap } from './expiry-heap.ts'
import { type IndexEntry, Lane } from './lane.ts'
import type { StoreUsage } from './types.ts'

export type { IndexEntry }

/**
 * In-memory index of everything queued: per-destination lanes (one per
 * priority), the inbound lane, an expiry heap and running totals. Rebuilt from
 * the queue keys at open; the envelopes themselves stay in LevelDB and are read
 * on demand. Every method is synchronous, so a check followed by a change in
 * the same turn is atomic with respect to other callers.
 */
export class QueueIndex {
  messages = 0
  bytes = 0
  private readonly byId = new Map<string, IndexEntry>()
  private readonly outbound = new Map<string, Lane[]>()
  private readonly inboundLane = new Lane()
  private readonly expiry = new ExpiryHeap()

  get(id: string): IndexEntry | undefined {
    return this.byId.get(id)
  }

  has(id: string): boolean {
    return this.byId.has(id)
  }

  /** Every queued id, outbound and inbound. */
  ids(): string[] {
    return [...this.byId.keys()]
  }

  add(entry: IndexEntry): void {
    const previous = this.byId.get(entry.id)
    if (previous !== undefined) this.remove(previous.id)
    this.byId.set(entry.id, entry)
    this.laneOf(entry, true).insert(entry)
    this.expiry.push(entry)
    this.messages++
    this.bytes += entry.bytes
  }

  /** Removes `id` from the index and returns what it held, or undefined when unknown. */
  remove(id: string): IndexEntry | undefined {
    const entry = this.detach(id)
    if (entry !== undefined) this.expiry.noteRemoved()
    return entry
  }

  /** Removes and returns every entry whose expiry is at or before `now`. */
  takeExpired(now: number): IndexEntry[] {
    const due = this.expiry.popDue(now)
    for (const entry of due) this.detach(entry.id)
    return due
  }

  /** Up to `limit` outbound entries for `dst`, most urgent priority first, then oldest. */
  peekOutbound(dst: string, limit: number, exclude?: ReadonlySet<string>): IndexEntry[] {
    const out: IndexEntry[] = []
    for (const lane of this.outbound.get(dst) ?? []) {
      if (out.length >= limit) break
      lane.take(limit, exclude, out)
    }
    return out
  }

  /** Up to `limit` inbound entries, oldest first. */
  peekInbound(limit: number, exclude?: ReadonlySet<string>): IndexEntry[] {
    const out: IndexEntry[] = []
    this.inboundLane.take(limit, exclude, out)
    return out
  }

  destinations(): string[] {
    return [...this.outbound.keys()]
  }

  /** Per-destination, per-priority sizes, sorted by destination then priority. */
  queues(): StoreUsage['queues'] {
    const queues: StoreUsage['queues'] = []
    const dsts = [...this.outbound.keys()].sort()
    for (const dst of dsts) {
      const lanes = this.outbound.get(dst)!
      lanes.forEach((lane, p) => {
        if (lane.messages === 0) return
        queues.push({ dst, priority: PRIORITIES[p]!, messages: lane.messages, bytes: lane.bytes })
      })
    }
    return queues
  }

  inbound(): StoreUsage['inbound'] {
    return { messages: this.inboundLane.messages, bytes: this.inboundLane.bytes }
  }

  private detach(id: string): IndexEntry | undefined {
    const entry = this.byId.get(id)
    if (entry === undefined) return undefined
    this.byId.delete(id)
    entry.removed = true
    this.laneOf(entry, false).remove(entry)
    this.messages--
    this.bytes -= entry.bytes
    if (entry.place === 'outbound') this.dropEmptyDestination(entry.dst)
    return entry
  }

  private laneOf(entry: IndexEntry, create: boolean): Lane {
    if (entry.place === 'inbound') return this.inboundLane
    let lanes = this.outbound.get(entry.dst)
    if (lanes === undefined) {
      lanes = PRIORITIES.map(() => new Lane())
      if (create) this.outbound.set(entry.dst, lanes)
    }
    return lanes[PRIORITIES.indexOf(entry.priority)]!
  }

  private dropEmptyDestination(dst: string): void {
    const lanes = this.outbound.get(dst)
    if (lanes?.every((lane) => lane.messages === 0) === true) this.outbound.delete(dst)
  }
}
