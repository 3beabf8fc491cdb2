import type { BatchOp, GroupCommitter } from './group-commit.ts'
import {
  DEDUPE_EXPIRY_PREFIX,
  dedupeExpiryBound,
  dedupeExpiryKey,
  dedupeKey,
  idOfDedupeExpiryKey,
} from './keys.ts'
import type { StoreDb } from './queue-records.ts'
import { encodeExpiry } from './records.ts'

/** Expiry index entries deleted per batch during a sweep. */
const SWEEP_CHUNK = 512

/** The writes that create a dedupe record for `id`, kept until `expiresAt`. */
export function dedupeOps(id: string, expiresAt: number): BatchOp[] {
  return [
    { type: 'put', key: dedupeKey(id), value: encodeExpiry(expiresAt) },
    { type: 'put', key: dedupeExpiryKey(expiresAt, id), value: new Uint8Array(0) },
  ]
}

/**
 * The most recently written dedupe ids, so that the common duplicate — a
 * retransmission shortly after the first copy — is answered without a disk
 * read. Bounded; an id that fell out is still found in LevelDB.
 */
export class DedupeCache {
  private readonly capacity: number
  private readonly recent = new Set<string>()

  constructor(capacity: number) {
    this.capacity = capacity
  }

  has(id: string): boolean {
    return this.recent.has(id)
  }

  remember(id: string): void {
    if (this.capacity <= 0) return
    this.recent.add(id)
    if (this.recent.size > this.capacity) {
      const oldest = this.recent.values().next().value
      if (oldest !== undefined) this.recent.delete(oldest)
    }
  }

  forget(id: string): void {
    this.recent.delete(id)
  }
}

/**
 * Deletes every dedupe record due at or before `now`, walking the expiry index
 * rather than the records. The deletes are not synced: a sweep lost in a crash
 * leaves records that the next sweep removes. Returns the ids removed.
 */
export async function sweepDedupeRecords(
  db: StoreDb,
  committer: GroupCommitter,
  now: number,
): Promise<string[]> {
  const removed: string[] = []
  const iterator = db.keys({ gte: DEDUPE_EXPIRY_PREFIX, lt: dedupeExpiryBound(now) })
  try {
    for (let keys = await iterator.nextv(SWEEP_CHUNK); keys.length > 0; ) {
      const ops: BatchOp[] = []
      for (const key of keys) {
        const id = idOfDedupeExpiryKey(key)
        ops.push({ type: 'del', key }, { type: 'del', key: dedupeKey(id) })
        removed.push(id)
      }
      await committer.commit(ops, false)
      keys = await iterator.nextv(SWEEP_CHUNK)
    }
  } finally {
    await iterator.close()
  }
  return removed
}
