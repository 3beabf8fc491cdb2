import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { Counter } from 'prom-client'
import { type BatchOp, GroupCommitter } from '../../../node/store/group-commit.ts'
import { openCustodyStore } from '../../../node/store/index.ts'
import { envelope, ROOMY, tempDir } from './fixtures.ts'

/** A fake disk whose batches complete only when the test says so. */
function manualDisk() {
  const batches: Array<{ ops: BatchOp[]; sync: boolean; finish: (err?: Error) => void }> = []
  const write = (ops: BatchOp[], sync: boolean) =>
    new Promise<void>((resolve, reject) => {
      batches.push({ ops, sync, finish: (err) => (err === undefined ? resolve() : reject(err)) })
    })
  return { batches, write }
}

const put = (key: string): BatchOp[] => [{ type: 'put', key, value: new Uint8Array([1]) }]
const tick = () => new Promise((resolve) => setImmediate(resolve))

function settled(promise: Promise<unknown>): () => boolean {
  let done = false
  promise.then(
    () => (done = true),
    () => (done = true),
  )
  return () => done
}

describe('group commit', () => {
  test('commits arriving during a sync share the next batch and its fsync', async () => {
    const disk = manualDisk()
    const committer = new GroupCommitter({ write: disk.write })
    const first = committer.commit(put('a'))
    await tick()
    assert.equal(disk.batches.length, 1)
    const later = ['b', 'c', 'd', 'e'].map((k) => committer.commit(put(k)))
    const laterDone = later.map(settled)
    await tick()
    assert.equal(disk.batches.length, 1, 'nothing new is written while a sync is in flight')
    disk.batches[0]!.finish()
    await first
    await tick()
    assert.equal(disk.batches.length, 2)
    assert.deepEqual(
      disk.batches[1]!.ops.map((op) => op.key),
      ['b', 'c', 'd', 'e'],
    )
    assert.ok(
      laterDone.every((done) => !done()),
      'no commit resolves before its batch is on disk',
    )
    disk.batches[1]!.finish()
    await Promise.all(later)
    assert.equal(committer.commitsPerSync(), 2.5)
  })

  test('a failed batch rejects every commit in it and the next batch still runs', async () => {
    const disk = manualDisk()
    const committer = new GroupCommitter({ write: disk.write })
    const doomed = [committer.commit(put('a')), committer.commit(put('b'))]
    await tick()
    const survivor = committer.commit(put('c'))
    disk.batches[0]!.finish(new Error('disk on fire'))
    for (const p of doomed) await assert.rejects(p, /disk on fire/)
    await tick()
    disk.batches[1]!.finish()
    await survivor
    assert.equal(committer.commitsPerSync(), 1)
  })

  test('unsynced commits are written without fsync unless a synced one shares the batch', async () => {
    const disk = manualDisk()
    const committer = new GroupCommitter({ write: disk.write })
    const loose = committer.commit(put('a'), false)
    await tick()
    assert.equal(disk.batches[0]!.sync, false)
    const mixed = [committer.commit(put('b'), false), committer.commit(put('c'), true)]
    disk.batches[0]!.finish()
    await loose
    await tick()
    assert.equal(disk.batches[1]!.sync, true)
    disk.batches[1]!.finish()
    await Promise.all(mixed)
    assert.equal(committer.commitsPerSync(), 1, 'only synced commits count')
  })

  test('an idle committer waits out its window for company, and close cuts the wait short', async () => {
    const disk = manualDisk()
    const committer = new GroupCommitter({ write: disk.write, windowMs: 10_000 })
    const commits = [committer.commit(put('a')), committer.commit(put('b'))]
    await tick()
    assert.equal(disk.batches.length, 0)
    const closing = committer.close()
    await tick()
    assert.equal(disk.batches.length, 1)
    disk.batches[0]!.finish()
    await Promise.all([...commits, closing])
  })

  test('the window ends early once as many commits wait as the previous batch carried', async () => {
    const disk = manualDisk()
    const committer = new GroupCommitter({ write: disk.write, windowMs: 10_000 })
    const firstBatch = ['a', 'b', 'c'].map((k) => committer.commit(put(k)))
    const flushed = committer.close()
    await tick()
    disk.batches[0]!.finish()
    await Promise.all([...firstBatch, flushed])
    const second = ['d', 'e'].map((k) => committer.commit(put(k)))
    await tick()
    assert.equal(disk.batches.length, 1, 'two of three: still waiting for company')
    second.push(committer.commit(put('f')))
    await tick()
    assert.equal(disk.batches.length, 2)
    assert.deepEqual(
      disk.batches[1]!.ops.map((op) => op.key),
      ['d', 'e', 'f'],
    )
    disk.batches[1]!.finish()
    await Promise.all(second)
  })

  test('200 concurrent accepts share far fewer fsyncs than commits', async (t) => {
    const { dir, cleanup } = await tempDir()
    const storeSyncs = new Counter({ name: 'syncs', help: 'h', registers: [] })
    const storeCommits = new Counter({ name: 'commits', help: 'h', registers: [] })
    const quarantined = new Counter({ name: 'q', help: 'h', registers: [] })
    const metrics = { storeSyncs, storeCommits, quarantined }
    const store = await openCustodyStore({ dir, limits: ROOMY, metrics })
    t.after(async () => {
      await store.close()
      await cleanup()
    })
    const envs = Array.from({ length: 200 }, () => envelope({ payloadBytes: 1024 }))
    const outcomes = await Promise.all(envs.map((e) => store.accept(e, 'outbound')))
    assert.ok(outcomes.every((o) => o === 'accepted'))
    const commits = (await storeCommits.get()).values[0]!.value
    const syncs = (await storeSyncs.get()).values[0]!.value
    assert.equal(commits, 200)
    assert.ok(syncs <= 20, `expected far fewer syncs than 200 commits, got ${syncs}`)
    assert.equal(store.commitsPerSync(), commits / syncs)
  })
})
