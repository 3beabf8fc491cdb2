import assert from 'node:assert/strict'
import { describe, type TestContext, test } from 'node:test'
import { encodeEnvelope } from '../../../node/core/envelope.ts'
import { isLifelineError } from '../../../node/core/errors.ts'
import {
  type CustodyStore,
  openCustodyStore,
  type StoreLimits,
  statusFromCore,
} from '../../../node/store/index.ts'
import { envelope, ROOMY, tempDir } from './fixtures.ts'

async function storeFor(
  t: TestContext,
  limits: StoreLimits = ROOMY,
): Promise<{ store: CustodyStore; reopen: () => Promise<CustodyStore> }> {
  const { dir, cleanup } = await tempDir()
  let store = await openCustodyStore({ dir, limits })
  t.after(async () => {
    await store.close()
    await cleanup()
  })
  const reopen = async () => {
    await store.close()
    store = await openCustodyStore({ dir, limits })
    return store
  }
  return { store, reopen }
}

const ids = (messages: Array<{ env: { core: { id: string } } }>) =>
  messages.map((m) => m.env.core.id)

describe('custody store', () => {
  test('peek hands out the most urgent priority first, then the oldest id', async (t) => {
    const { store } = await storeFor(t)
    const base = Date.now()
    const bulkOld = envelope({ priority: 'bulk', createdAt: base - 5000 })
    const normalNew = envelope({ priority: 'normal', createdAt: base })
    const criticalNew = envelope({ priority: 'critical', createdAt: base + 10 })
    const normalOld = envelope({ priority: 'normal', createdAt: base - 3000 })
    const criticalOld = envelope({ priority: 'critical', createdAt: base - 1000 })
    for (const env of [bulkOld, normalNew, criticalNew, normalOld, criticalOld]) {
      assert.equal(await store.accept(env, 'outbound'), 'accepted')
    }
    const expected = [criticalOld, criticalNew, normalOld, normalNew, bulkOld].map((e) => e.core.id)
    assert.deepEqual(ids(await store.peek('ee/dst', 10)), expected)
    assert.deepEqual(ids(await store.peek('ee/dst', 3)), expected.slice(0, 3))
    const skip = new Set([criticalOld.core.id, normalOld.core.id])
    assert.deepEqual(ids(await store.peek('ee/dst', 2, skip)), [expected[1], expected[3]])
  })

  test('queues are kept per destination', async (t) => {
    const { store } = await storeFor(t)
    const a = envelope({ dst: 'ee/a' })
    const b = envelope({ dst: 'ee/a.b' })
    await store.accept(a, 'outbound')
    await store.accept(b, 'outbound')
    assert.deepEqual(store.destinations().sort(), ['ee/a', 'ee/a.b'])
    assert.deepEqual(ids(await store.peek('ee/a', 10)), [a.core.id])
    await store.release(a.core.id)
    assert.deepEqual(store.destinations(), ['ee/a.b'])
    assert.equal(store.isQueued(a.core.id), false)
  })

  test('a message accepted twice in sequence is a duplicate the second time', async (t) => {
    const { store } = await storeFor(t)
    const env = envelope()
    assert.equal(await store.accept(env, 'outbound'), 'accepted')
    assert.equal(await store.accept(env, 'inbound'), 'duplicate')
    await store.release(env.core.id)
    assert.equal(await store.accept(env, 'outbound'), 'duplicate', 'dedupe outlives the queue')
    assert.equal(await store.seen(env.core.id), true)
    assert.equal(store.usage().messages, 0)
  })

  test('concurrent accepts of one id yield exactly one accepted', async (t) => {
    const { store } = await storeFor(t)
    const env = envelope()
    const outcomes = await Promise.all([1, 2, 3, 4].map(() => store.accept(env, 'outbound')))
    assert.deepEqual(outcomes.filter((o) => o === 'accepted').length, 1)
    assert.equal(outcomes.filter((o) => o === 'duplicate').length, 3)
    assert.equal(store.usage().messages, 1)
  })

  test('a dedupe record survives a reopen', async (t) => {
    const { store, reopen } = await storeFor(t)
    const env = envelope()
    await store.accept(env, 'outbound')
    await store.release(env.core.id)
    const again = await reopen()
    assert.equal(await again.accept(env, 'outbound'), 'duplicate')
    assert.equal(again.usage().dedupeRecords, 1)
  })

  test('the message quota refuses with STORE_FULL and changes nothing', async (t) => {
    const { store } = await storeFor(t, { maxMessages: 2, maxBytes: 1024 ** 2 })
    await store.accept(envelope(), 'outbound')
    await store.accept(envelope(), 'inbound')
    const before = store.usage()
    const third = envelope()
    await assert.rejects(store.accept(third, 'outbound', statusFromCore(third.core)), (err) => {
      assert.ok(isLifelineError(err, 'STORE_FULL'))
      assert.match(err.message, /message quota.*2 of 2/)
      return true
    })
    assert.deepEqual(store.usage(), before)
    assert.equal(await store.seen(third.core.id), false)
    assert.equal(await store.getStatus(third.core.id), undefined)
    const [first] = await store.peek('ee/dst', 1)
    await store.release(first!.env.core.id)
    assert.equal(await store.accept(third, 'outbound'), 'accepted', 'a refusal leaves no trace')
  })

  test('the byte quota refuses with STORE_FULL, also for concurrent accepts', async (t) => {
    const one = encodeEnvelope(envelope({ payloadBytes: 1000 })).length
    const { store } = await storeFor(t, { maxMessages: 100, maxBytes: one * 3 })
    const batch = Array.from({ length: 5 }, () => envelope({ payloadBytes: 1000 }))
    const results = await Promise.allSettled(batch.map((e) => store.accept(e, 'outbound')))
    const refused = results.filter((r) => r.status === 'rejected')
    assert.equal(refused.length, 2)
    for (const r of refused) assert.ok(isLifelineError(r.reason, 'STORE_FULL'))
    assert.match(String((refused[0] as PromiseRejectedResult).reason.message), /byte quota/)
    assert.equal(store.usage().bytes, one * 3)
    assert.equal(store.usage().messages, 3)
  })

  test('an expiry sweep removes exactly the messages due and returns them', async (t) => {
    const { store } = await storeFor(t)
    const now = Date.now()
    const due = envelope({ expiresAt: now - 1 })
    const dueInbound = envelope({ expiresAt: now })
    const later = envelope({ expiresAt: now + 60_000 })
    await store.accept(due, 'outbound')
    await store.accept(dueInbound, 'inbound')
    await store.accept(later, 'outbound')
    const swept = await store.sweepExpired(now)
    assert.deepEqual(ids(swept).sort(), [due.core.id, dueInbound.core.id].sort())
    assert.deepEqual(swept.map((m) => m.place).sort(), ['inbound', 'outbound'])
    assert.deepEqual(ids(await store.peek('ee/dst', 10)), [later.core.id])
    assert.equal(store.usage().messages, 1)
    assert.deepEqual(await store.sweepExpired(now), [])
  })

  test('expire removes one message from whichever queue holds it', async (t) => {
    const { store, reopen } = await storeFor(t)
    const env = envelope()
    await store.accept(env, 'inbound')
    const gone = await store.expire(env.core.id)
    assert.equal(gone?.env.core.id, env.core.id)
    assert.equal(gone?.place, 'inbound')
    assert.equal(await store.expire(env.core.id), undefined)
    assert.equal((await reopen()).usage().messages, 0)
  })

  test('a dedupe sweep deletes only spent records', async (t) => {
    const { store, reopen } = await storeFor(t)
    const now = Date.now()
    const spent = envelope({ expiresAt: now - 10 })
    const live = envelope({ expiresAt: now + 10_000 })
    await store.accept(spent, 'outbound')
    await store.accept(live, 'outbound')
    await store.release(spent.core.id)
    assert.equal(await store.sweepDedupe(now), 1)
    assert.equal(await store.seen(spent.core.id), false)
    assert.equal(await store.seen(live.core.id), true)
    assert.equal(store.usage().dedupeRecords, 1)
    const again = await reopen()
    assert.equal(again.usage().dedupeRecords, 1)
    assert.equal(await again.sweepDedupe(now), 0)
  })

  test('a queued message stays a duplicate after its dedupe record is swept', async (t) => {
    const { store } = await storeFor(t)
    const env = envelope({ expiresAt: Date.now() - 1 })
    await store.accept(env, 'outbound')
    assert.equal(await store.sweepDedupe(Date.now()), 1)
    assert.equal(await store.accept(env, 'outbound'), 'duplicate')
    assert.equal(store.usage().messages, 1)
  })

  test('status records are written with the accept and patched durably', async (t) => {
    const { store, reopen } = await storeFor(t)
    const env = envelope()
    await store.accept(env, 'outbound', statusFromCore(env.core, 5))
    assert.equal((await store.getStatus(env.core.id))?.status, 'queued')
    assert.deepEqual(ids2(await store.pendingStatuses()), [env.core.id])
    const patched = await store.updateStatus(env.core.id, { status: 'in-transit', updatedAt: 9 })
    assert.equal(patched?.status, 'in-transit')
    await Promise.all([
      store.updateStatus(env.core.id, { reason: 'first' }),
      store.updateStatus(env.core.id, { status: 'delivered' }),
    ])
    const again = await reopen()
    const stored = await again.getStatus(env.core.id)
    assert.equal(stored?.status, 'delivered')
    assert.equal(stored?.reason, 'first', 'concurrent patches both land')
    assert.deepEqual(await again.pendingStatuses(), [])
    assert.equal(
      await again.updateStatus('01J0000000000000000000000X', { status: 'expired' }),
      undefined,
    )
  })

  test('delivered removes the inbound message and queues the receipt in one commit', async (t) => {
    const { store, reopen } = await storeFor(t)
    const msg = envelope({ dst: 'ee/here' })
    await store.accept(msg, 'inbound')
    assert.deepEqual(ids(await store.inbound(10)), [msg.core.id])
    const receipt = envelope({ kind: 'receipt', dst: 'ee/src', ref: msg.core.id })
    await store.delivered(msg.core.id, receipt)
    assert.deepEqual(await store.inbound(10), [])
    assert.deepEqual(ids(await store.peek('ee/src', 10)), [receipt.core.id])
    const again = await reopen()
    assert.deepEqual(await again.inbound(10), [])
    assert.deepEqual(ids(await again.peek('ee/src', 10)), [receipt.core.id])
    assert.equal(again.usage().inbound.messages, 0)
    assert.equal(await again.accept(msg, 'inbound'), 'duplicate')
  })

  test('reopening restores queues, sizes and order', async (t) => {
    const { store, reopen } = await storeFor(t)
    const base = Date.now()
    const envs = Array.from({ length: 30 }, (_, i) =>
      envelope({
        createdAt: base - i * 100,
        dst: `ee/d${i % 3}`,
        priority: i % 2 ? 'bulk' : 'normal',
      }),
    )
    await Promise.all(envs.map((e, i) => store.accept(e, i % 5 === 0 ? 'inbound' : 'outbound')))
    await store.release(envs[1]!.core.id)
    const before = store.usage()
    const peeks = await Promise.all(['ee/d0', 'ee/d1', 'ee/d2'].map((d) => store.peek(d, 50)))
    const again = await reopen()
    assert.deepEqual(again.usage(), before)
    assert.deepEqual(again.destinations().sort(), ['ee/d0', 'ee/d1', 'ee/d2'])
    const after = await Promise.all(['ee/d0', 'ee/d1', 'ee/d2'].map((d) => again.peek(d, 50)))
    assert.deepEqual(after.map(ids), peeks.map(ids))
    assert.equal((await again.peek('ee/d0', 1))[0]?.env.payload.length, 16)
  })

  test('close waits for in-flight commits and later calls fail with SHUTTING_DOWN', async (t) => {
    const { store, reopen } = await storeFor(t)
    const envs = Array.from({ length: 20 }, () => envelope())
    const accepting = envs.map((e) => store.accept(e, 'outbound'))
    await store.close()
    assert.deepEqual(
      await Promise.all(accepting),
      envs.map(() => 'accepted'),
    )
    await assert.rejects(store.accept(envelope(), 'outbound'), (err) =>
      isLifelineError(err, 'SHUTTING_DOWN'),
    )
    await assert.rejects(store.peek('ee/dst', 1), (err) => isLifelineError(err, 'SHUTTING_DOWN'))
    assert.equal((await reopen()).usage().messages, 20)
  })
})

function ids2(records: Array<{ id: string }>): string[] {
  return records.map((r) => r.id)
}
