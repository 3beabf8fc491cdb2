import { Level } from 'level'
import { type Envelope, encodeEnvelope } from '../core/envelope.ts'
import { LifelineError } from '../core/errors.ts'
import { type Logger, silentLogger } from '../core/log.ts'
import type { Metrics } from '../metrics/catalogue.ts'
import { DedupeCache, dedupeOps, sweepDedupeRecords } from './dedupe.ts'
import { type BatchOp, GroupCommitter } from './group-commit.ts'
import { KeyedLock } from './keyed-lock.ts'
import { DEDUPE_PREFIX, dedupeKey, queueKey } from './keys.ts'
import { Quarantine } from './quarantine.ts'
import { type IndexEntry, QueueIndex } from './queue-index.ts'
import { countKeys, fetchQueued, type StoreDb, scanQueues } from './queue-records.ts'
import { Quota } from './quota.ts'
import type { QuarantinedRecord } from './records.ts'
import { StatusBook, statusOps } from './status-book.ts'
import type {
  AcceptOptions,
  AcceptOutcome,
  CustodyStore,
  Place,
  QueuedMessage,
  StatusRecord,
  StoreLimits,
  StoreUsage,
} from './types.ts'

export interface CustodyStoreInit {
  /** Directory of the LevelDB database; created when missing. */
  dir: string
  /** Quotas on messages and bytes held (outbound plus inbound). */
  limits: StoreLimits
  /**
   * Longest a synced commit waits for others to share its fsync, in milliseconds.
   * Commits arriving during an fsync share the next one regardless.
   * @default 0
   */
  groupCommitWindowMs?: number
  /** Logger; the store adds `component: 'store'` unless the logger already names one. */
  logger?: Logger
  /** Counters for syncs, commits and quarantined records. */
  metrics?: Pick<Metrics, 'storeSyncs' | 'storeCommits' | 'quarantined'>
  /**
   * Recently written dedupe ids answered from memory (queued ids always are).
   * @default 100_000
   */
  dedupeCacheSize?: number
}

type State = 'closed' | 'opening' | 'open' | 'closing'

function entryOf(env: Envelope, place: Place, bytes: number): IndexEntry {
  const { id, dst, priority, expiresAt } = env.core
  return { id, place, dst, priority, bytes, expiresAt, removed: false }
}

/** The writes that take custody of an encoded envelope, with its dedupe record. */
function custodyOps(entry: IndexEntry, value: Uint8Array): BatchOp[] {
  return [{ type: 'put', key: queueKey(entry), value }, ...dedupeOps(entry.id, entry.expiresAt)]
}

/**
 * The custody store on LevelDB (see keys.ts for the layout). Queue membership
 * and sizes live in an in-memory index rebuilt at open; envelopes are read from
 * disk on demand. Obligation-creating writes go through the group committer
 * with fsync; releases after a downstream ack go without.
 *
 * Removals take effect in the index at once and on disk when their batch
 * lands, so a concurrent caller never sees a message twice; space they free
 * may be reused a moment before the delete is durable.
 */
export class LevelCustodyStore implements CustodyStore {
  private readonly init: CustodyStoreInit
  private readonly log: Logger
  private readonly quota: Quota
  private readonly lock = new KeyedLock()
  private state: State = 'closed'
  private db!: StoreDb
  private committer: GroupCommitter | undefined
  private quarantine!: Quarantine
  private statuses!: StatusBook
  private index = new QueueIndex()
  private dedupe: DedupeCache
  private dedupeCount = 0
  /** Accepts in flight by id, so a concurrent second copy waits for the first's outcome. */
  private readonly pending = new Map<string, Promise<AcceptOutcome>>()
  private opening: Promise<void> | undefined
  private active = 0
  private drained: (() => void) | undefined

  constructor(init: CustodyStoreInit) {
    this.init = init
    const logger = init.logger ?? silentLogger()
    // Callers may already hand in a child named for this component.
    this.log = logger.bindings().component ? logger : logger.child({ component: 'store' })
    this.quota = new Quota(init.limits)
    this.dedupe = new DedupeCache(init.dedupeCacheSize ?? 100_000)
  }

  /** Opens the database and rebuilds the index; concurrent calls share one opening. */
  open(): Promise<void> {
    if (this.state === 'open') return Promise.resolve()
    if (this.state === 'closing') {
      return Promise.reject(new LifelineError('SHUTTING_DOWN', 'the custody store is closing'))
    }
    this.opening ??= this.openNow().finally(() => {
      this.opening = undefined
    })
    return this.opening
  }

  private async openNow(): Promise<void> {
    this.state = 'opening'
    const started = performance.now()
    const db = new Level<string, Uint8Array>(this.init.dir, {
      keyEncoding: 'utf8',
      valueEncoding: 'view',
    })
    try {
      await db.open()
      await this.load(db)
    } catch (err) {
      this.state = 'closed'
      await db.close().catch(() => undefined)
      const reason = (err as Error).cause ?? err
      throw new LifelineError(
        'INTERNAL',
        `cannot open the custody store in ${this.init.dir}: ${(reason as Error).message}`,
        { cause: err },
      )
    }
    this.state = 'open'
    const { messages, bytes } = this.index
    const ms = Math.round(performance.now() - started)
    this.log.info({ messages, bytes, quarantined: this.quarantine.count, ms }, 'store opened')
  }

  private async load(db: StoreDb): Promise<void> {
    const { metrics, groupCommitWindowMs } = this.init
    const committer = new GroupCommitter({
      write: (ops, sync) => db.batch(ops, { sync }),
      windowMs: groupCommitWindowMs ?? 0,
      onSync: (commits) => {
        metrics?.storeCommits.inc(commits)
        metrics?.storeSyncs.inc()
      },
    })
    this.db = db
    this.committer = committer
    this.quarantine = new Quarantine({ db, committer, log: this.log, metrics })
    this.statuses = new StatusBook(db, committer, this.quarantine)
    this.index = new QueueIndex()
    this.dedupe = new DedupeCache(this.init.dedupeCacheSize ?? 100_000)
    const corrupt = await scanQueues(db, this.index)
    await this.quarantine.load()
    this.dedupeCount = await countKeys(db, DEDUPE_PREFIX)
    await this.quarantine.move(corrupt)
  }

  async close(): Promise<void> {
    if (this.state !== 'open') return
    this.state = 'closing'
    if (this.active > 0) await new Promise<void>((resolve) => (this.drained = resolve))
    this.drained = undefined
    await this.committer?.close()
    await this.db.close()
    this.state = 'closed'
    this.log.info('store closed')
  }

  accept(
    env: Envelope,
    place: Place,
    status?: StatusRecord,
    options: AcceptOptions = {},
  ): Promise<AcceptOutcome> {
    return this.guard(() => this.acceptOnce(env, place, status, options.revisit === true))
  }

  private async acceptOnce(
    env: Envelope,
    place: Place,
    status: StatusRecord | undefined,
    revisit: boolean,
  ): Promise<AcceptOutcome> {
    const id = env.core.id
    const first = this.pending.get(id)
    if (first !== undefined) {
      // Same id in flight: if the first copy fails, this one gets its own try.
      const outcome = await first.catch(() => undefined)
      return outcome === undefined ? this.acceptOnce(env, place, status, revisit) : 'duplicate'
    }
    if (this.index.has(id) || (!revisit && this.dedupe.has(id))) return 'duplicate'
    const attempt = this.admit(env, place, status, revisit)
    this.pending.set(id, attempt)
    try {
      return await attempt
    } finally {
      if (this.pending.get(id) === attempt) this.pending.delete(id)
    }
  }

  private async admit(
    env: Envelope,
    place: Place,
    status: StatusRecord | undefined,
    revisit: boolean,
  ): Promise<AcceptOutcome> {
    // A message with a status record is being created here, under an id just minted
    // (time-ordered and unique): no earlier record can exist, so the disk is not asked.
    const known = status === undefined && !revisit && (await this.db.has(dedupeKey(env.core.id)))
    if (known) return 'duplicate'
    const value = encodeEnvelope(env)
    const entry = entryOf(env, place, value.length)
    const ops = custodyOps(entry, value)
    if (status !== undefined) ops.push(...statusOps(status, undefined))
    this.quota.reserve(this.index, value.length)
    try {
      await this.commit(ops, true)
    } finally {
      this.quota.unreserve(value.length)
    }
    this.index.add(entry)
    this.dedupe.remember(entry.id)
    this.dedupeCount++
    return 'accepted'
  }

  seen(id: string): Promise<boolean> {
    return this.guard(
      async () => this.index.has(id) || this.dedupe.has(id) || this.db.has(dedupeKey(id)),
    )
  }

  destinations(): string[] {
    return this.index.destinations()
  }

  peek(dst: string, limit: number, exclude?: ReadonlySet<string>): Promise<QueuedMessage[]> {
    return this.guard(() => this.read(this.index.peekOutbound(dst, limit, exclude)))
  }

  inbound(limit: number, exclude?: ReadonlySet<string>): Promise<QueuedMessage[]> {
    return this.guard(() => this.read(this.index.peekInbound(limit, exclude)))
  }

  /** Releases outbound custody only; an inbound message leaves through `delivered`. */
  release(id: string): Promise<void> {
    return this.guard(async () => {
      const entry = this.index.get(id)
      if (entry?.place !== 'outbound') return
      this.index.remove(id)
      await this.commitRemoval([entry], [{ type: 'del', key: queueKey(entry) }], false)
    })
  }

  /**
   * When `id` is no longer inbound (already delivered or expired meanwhile) the
   * receipt is still taken into custody: the service did accept the message,
   * and the receipt proving it must not be lost. Receipts are not held to the
   * quotas: refusing one would strand a delivery that already happened.
   */
  delivered(id: string, receipt: Envelope | undefined): Promise<void> {
    return this.guard(async () => {
      const entry = this.index.get(id)
      const removed = entry?.place === 'inbound' ? [entry] : []
      const ops: BatchOp[] = removed.map((e) => ({ type: 'del', key: queueKey(e) }))
      for (const e of removed) this.index.remove(e.id)
      let added: IndexEntry | undefined
      if (receipt !== undefined && !this.index.has(receipt.core.id)) {
        const value = encodeEnvelope(receipt)
        added = entryOf(receipt, 'outbound', value.length)
        ops.push(...custodyOps(added, value))
      }
      if (ops.length === 0) return
      await this.commitRemoval(removed, ops, true)
      if (added === undefined) return
      this.index.add(added)
      this.dedupe.remember(added.id)
      this.dedupeCount++
    })
  }

  expire(id: string): Promise<QueuedMessage | undefined> {
    return this.guard(async () => {
      const entry = this.index.remove(id)
      if (entry === undefined) return undefined
      const [message] = await this.takeOut([entry])
      return message
    })
  }

  sweepExpired(now: number): Promise<QueuedMessage[]> {
    return this.guard(() => this.takeOut(this.index.takeExpired(now)))
  }

  sweepDedupe(now: number): Promise<number> {
    return this.guard(() =>
      this.lock.run('sweep-dedupe', async () => {
        const ids = await sweepDedupeRecords(this.db, this.committer!, now)
        for (const id of ids) this.dedupe.forget(id)
        this.dedupeCount -= ids.length
        return ids.length
      }),
    )
  }

  getStatus(id: string): Promise<StatusRecord | undefined> {
    return this.guard(() => this.statuses.get(id))
  }

  updateStatus(
    id: string,
    patch: Partial<Omit<StatusRecord, 'id'>>,
  ): Promise<StatusRecord | undefined> {
    return this.guard(() => this.statuses.update(id, patch))
  }

  isQueued(id: string): boolean {
    return this.index.has(id)
  }

  queuedIds(): string[] {
    return this.index.ids()
  }

  pendingStatuses(): Promise<StatusRecord[]> {
    return this.guard(() => this.statuses.pending())
  }

  usage(): StoreUsage {
    return {
      messages: this.index.messages,
      bytes: this.index.bytes,
      queues: this.index.queues(),
      inbound: this.index.inbound(),
      quarantined: this.quarantine?.count ?? 0,
      dedupeRecords: this.dedupeCount,
    }
  }

  commitsPerSync(): number {
    return this.committer?.commitsPerSync() ?? 0
  }

  /** Quarantined records, for operators and forensics. */
  quarantined(): Promise<QuarantinedRecord[]> {
    return this.guard(() => this.quarantine.list())
  }

  private commit(ops: BatchOp[], sync: boolean): Promise<void> {
    return this.committer!.commit(ops, sync)
  }

  /** Reads envelopes for `entries` still in the index, quarantining any that fail to decode. */
  private async read(entries: IndexEntry[]): Promise<QueuedMessage[]> {
    const { messages, corrupt } = await fetchQueued(this.db, entries, true)
    for (const { id } of corrupt) this.index.remove(id)
    await this.quarantine.move(corrupt)
    return messages
  }

  /** Deletes `entries` (already out of the index) with fsync and returns their envelopes. */
  private async takeOut(entries: IndexEntry[]): Promise<QueuedMessage[]> {
    const { messages, corrupt } = await fetchQueued(this.db, entries, false)
    const ops: BatchOp[] = messages.map(({ key }) => ({ type: 'del', key }))
    if (ops.length > 0) await this.commitRemoval(entries, ops, true)
    await this.quarantine.move(corrupt)
    return messages.map(({ key: _, ...message }) => message)
  }

  /** Commits a removal already applied to the index; puts the entries back if it fails. */
  private async commitRemoval(entries: IndexEntry[], ops: BatchOp[], sync: boolean): Promise<void> {
    try {
      await this.commit(ops, sync)
    } catch (err) {
      for (const entry of entries) {
        if (!this.index.has(entry.id)) this.index.add({ ...entry, removed: false })
      }
      throw err
    }
  }

  /** Refuses work unless open, and counts work in progress so `close` can wait for it. */
  private async guard<T>(fn: () => Promise<T>): Promise<T> {
    if (this.state !== 'open') {
      throw new LifelineError('SHUTTING_DOWN', 'the custody store is closed')
    }
    this.active++
    try {
      return await fn()
    } finally {
      this.active--
      if (this.active === 0) this.drained?.()
    }
  }
}
