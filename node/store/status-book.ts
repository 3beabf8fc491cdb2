import type { BatchOp, GroupCommitter } from './group-commit.ts'
import { KeyedLock } from './keyed-lock.ts'
import {
  idOfPendingStatusKey,
  PENDING_STATUS_PREFIX,
  pendingStatusKey,
  prefixRange,
  statusKey,
} from './keys.ts'
import type { Quarantine } from './quarantine.ts'
import type { StoreDb } from './queue-records.ts'
import { decodeStatus, encodeStatus } from './records.ts'
import type { StatusRecord } from './types.ts'

function isPending(record: StatusRecord | undefined): record is StatusRecord {
  return record?.status === 'queued' || record?.status === 'in-transit'
}

/**
 * The writes that store `next`, keeping its pending marker in step: the marker
 * exists while the message is queued or in transit, so finding the messages
 * still awaiting a receipt costs what is open, not the whole history.
 */
export function statusOps(next: StatusRecord, previous: StatusRecord | undefined): BatchOp[] {
  const ops: BatchOp[] = [{ type: 'put', key: statusKey(next.id), value: encodeStatus(next) }]
  const marker = pendingStatusKey(next.id)
  if (isPending(next) && !isPending(previous)) {
    ops.push({ type: 'put', key: marker, value: new Uint8Array(0) })
  } else if (!isPending(next) && isPending(previous)) {
    ops.push({ type: 'del', key: marker })
  }
  return ops
}

/**
 * The sender's status records. Updates to one id are serialized so that two
 * concurrent patches both land. Records are kept after the message is settled,
 * so a sender can look up an old message's outcome; nothing prunes them yet.
 */
export class StatusBook {
  private readonly db: StoreDb
  private readonly committer: GroupCommitter
  private readonly quarantine: Quarantine
  private readonly lock = new KeyedLock()

  constructor(db: StoreDb, committer: GroupCommitter, quarantine: Quarantine) {
    this.db = db
    this.committer = committer
    this.quarantine = quarantine
  }

  /** The record for `id`; a record that does not parse is quarantined and reads as absent. */
  async get(id: string): Promise<StatusRecord | undefined> {
    const key = statusKey(id)
    const value = await this.db.get(key)
    if (value === undefined) return undefined
    try {
      return decodeStatus(value)
    } catch (err) {
      await this.quarantine.move([{ key, value, reason: (err as Error).message }])
      return undefined
    }
  }

  /** Applies `patch` with fsync; `updatedAt` defaults to now. */
  update(id: string, patch: Partial<Omit<StatusRecord, 'id'>>): Promise<StatusRecord | undefined> {
    return this.lock.run(id, async () => {
      const current = await this.get(id)
      if (current === undefined) return undefined
      const next: StatusRecord = {
        ...current,
        ...patch,
        id,
        updatedAt: patch.updatedAt ?? Date.now(),
      }
      await this.committer.commit(statusOps(next, current), true)
      return next
    })
  }

  /** Records still `queued` or `in-transit`. */
  async pending(): Promise<StatusRecord[]> {
    const keys = await this.db.keys(prefixRange(PENDING_STATUS_PREFIX)).all()
    const records = await Promise.all(keys.map((key) => this.get(idOfPendingStatusKey(key))))
    return records.filter(isPending)
  }
}
