import type { Logger } from '../core/log.ts'
import type { Metrics } from '../metrics/catalogue.ts'
import type { BatchOp, GroupCommitter } from './group-commit.ts'
import { prefixRange, QUARANTINE_PREFIX, quarantineKey } from './keys.ts'
import { type CorruptRecord, countKeys, type StoreDb } from './queue-records.ts'
import {
  decodeQuarantined,
  encodeQuarantined,
  type QuarantinedRecord,
  toBase64,
} from './records.ts'

export interface QuarantineInit {
  db: StoreDb
  committer: GroupCommitter
  log: Logger
  metrics: Pick<Metrics, 'quarantined'> | undefined
}

/**
 * Where unreadable records go: moved under `z!<original key>` with their raw
 * bytes and the reason, logged at error level with the key, and counted. The
 * rest of the store carries on without them.
 */
export class Quarantine {
  /** Records held in quarantine. */
  count = 0
  private readonly init: QuarantineInit

  constructor(init: QuarantineInit) {
    this.init = init
  }

  /** Counts what earlier runs quarantined. */
  async load(): Promise<void> {
    this.count = await countKeys(this.init.db, QUARANTINE_PREFIX)
  }

  /** Moves `records` aside in one synced batch. */
  async move(records: CorruptRecord[]): Promise<void> {
    if (records.length === 0) return
    const at = Date.now()
    const ops: BatchOp[] = []
    for (const { key, value, reason } of records) {
      const record = encodeQuarantined({ key, reason, at, raw: toBase64(value) })
      ops.push({ type: 'put', key: quarantineKey(key), value: record }, { type: 'del', key })
    }
    await this.init.committer.commit(ops, true)
    for (const { key, reason } of records) {
      this.init.log.error({ key, reason }, 'corrupt record quarantined')
      this.init.metrics?.quarantined.inc()
      this.count++
    }
  }

  async list(): Promise<QuarantinedRecord[]> {
    const rows = await this.init.db.iterator(prefixRange(QUARANTINE_PREFIX)).all()
    return rows.map(([, value]) => decodeQuarantined(value))
  }
}
