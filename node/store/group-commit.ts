/** One write in a batch, in the shape LevelDB's `batch()` takes. */
export type BatchOp = { type: 'put'; key: string; value: Uint8Array } | { type: 'del'; key: string }

export interface GroupCommitInit {
  /** Writes one batch atomically; with `sync` it resolves only after fsync. */
  write: (ops: BatchOp[], sync: boolean) => Promise<void>
  /**
   * Longest an idle committer waits for company before it starts a batch, in
   * milliseconds. The wait ends early once as many commits have gathered as the
   * previous batch carried, so a steady load pays no window at all. Commits that
   * arrive while a batch is being written always wait for it and go out together
   * in the next one, whatever this says.
   * @default 0
   */
  windowMs?: number
  /** Called after each synced batch with the number of synced commits it carried. */
  onSync?: (commits: number) => void
}

interface Request {
  ops: BatchOp[]
  sync: boolean
  resolve: () => void
  reject: (err: unknown) => void
}

/**
 * Group commit: many callers, one fsync. Requests queue up while a batch is on
 * its way to disk and then leave together as one atomic LevelDB batch, synced
 * when any of them asked for it. Each caller's promise settles with the batch
 * that carried its writes, so "resolved" always means "on disk".
 */
export class GroupCommitter {
  private readonly write: GroupCommitInit['write']
  private readonly windowMs: number
  private readonly onSync: GroupCommitInit['onSync']
  private queue: Request[] = []
  private timer: NodeJS.Timeout | undefined
  /** True from the moment a drain is scheduled until the queue is empty again. */
  private busy = false
  private idleWaiters: Array<() => void> = []
  private commits = 0
  private syncs = 0
  /** Requests in the previous batch: the company a new batch can expect. */
  private lastBatch = Number.POSITIVE_INFINITY

  constructor(init: GroupCommitInit) {
    this.write = init.write
    this.windowMs = init.windowMs ?? 0
    this.onSync = init.onSync
  }

  /** Queues `ops` for the next batch; resolves once that batch is written (and synced). */
  commit(ops: BatchOp[], sync = true): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ ops, sync, resolve, reject })
      this.schedule()
      if (this.timer !== undefined && this.queue.length >= this.lastBatch) this.flushNow()
    })
  }

  /** Synced commits divided by fsyncs since creation; 0 before the first sync. */
  commitsPerSync(): number {
    return this.syncs === 0 ? 0 : this.commits / this.syncs
  }

  /** Writes whatever is queued without waiting out the window, then resolves when idle. */
  async close(): Promise<void> {
    if (this.timer !== undefined) this.flushNow()
    if (!this.busy) return
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve))
  }

  /** Cuts a pending window short. */
  private flushNow(): void {
    clearTimeout(this.timer)
    this.timer = undefined
    void this.drain()
  }

  private schedule(): void {
    if (this.busy) return
    this.busy = true
    // Even with no window, yield once so callers in the same turn share the batch.
    if (this.windowMs > 0) {
      this.timer = setTimeout(() => {
        this.timer = undefined
        void this.drain()
      }, this.windowMs)
    } else {
      setImmediate(() => void this.drain())
    }
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue
      this.queue = []
      this.lastBatch = batch.length
      await this.flush(batch)
    }
    this.busy = false
    const waiters = this.idleWaiters
    this.idleWaiters = []
    for (const wake of waiters) wake()
  }

  private async flush(batch: Request[]): Promise<void> {
    const ops: BatchOp[] = []
    let synced = 0
    for (const request of batch) {
      for (const op of request.ops) ops.push(op)
      if (request.sync) synced++
    }
    try {
      await this.write(ops, synced > 0)
    } catch (err) {
      for (const request of batch) request.reject(err)
      return
    }
    if (synced > 0) {
      this.commits += synced
      this.syncs++
      this.onSync?.(synced)
    }
    for (const request of batch) request.resolve()
  }
}
