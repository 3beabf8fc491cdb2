import assert from 'node:assert/strict'
import { Writable } from 'node:stream'
import { describe, type TestContext, test } from 'node:test'
import { Level } from 'level'
import { pino } from 'pino'
import { Counter } from 'prom-client'
import { encodeEnvelope } from '../../../node/core/envelope.ts'
import { LevelCustodyStore, statusFromCore } from '../../../node/store/index.ts'
import { outboundKey, statusKey } from '../../../node/store/keys.ts'
import { envelope, ROOMY, tempDir } from './fixtures.ts'

/** Writes raw records straight into the LevelDB directory of a closed store. */
async function tamper(dir: string, records: Array<[string, Uint8Array]>): Promise<void> {
  const db = new Level<string, Uint8Array>(dir, { keyEncoding: 'utf8', valueEncoding: 'view' })
  await db.open()
  await db.batch(records.map(([key, value]) => ({ type: 'put', key, value })))
  await db.close()
}

/** A store whose error logs and quarantine counter the test can read. */
async function observedStore(t: TestContext, dir: string) {
  const lines: Array<Record<string, unknown>> = []
  const sink = new Writable({
    write(chunk, _enc, done) {
      lines.push(JSON.parse(String(chunk)))
      done()
    },
  })
  const quarantined = new Counter({ name: 'quarantined', help: 'h', registers: [] })
  const metrics = {
    quarantined,
    storeSyncs: new Counter({ name: 's', help: 'h', registers: [] }),
    storeCommits: new Counter({ name: 'c', help: 'h', registers: [] }),
  }
  const store = new LevelCustodyStore({ dir, limits: ROOMY, logger: pino(sink), metrics })
  await store.open()
  t.after(() => store.close())
  const count = async () => (await quarantined.get()).values[0]?.value ?? 0
  return { store, lines, count }
}

const garbage = new Uint8Array([0x4c, 0x01, 0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4, 5, 6, 7])

describe('quarantine', () => {
  test('a garbage queue record is quarantined at open and the rest of the queue carries on', async (t) => {
    const { dir, cleanup } = await tempDir()
    t.after(cleanup)
    const first = new LevelCustodyStore({ dir, limits: ROOMY })
    await first.open()
    const good = [envelope(), envelope()]
    for (const env of good) await first.accept(env, 'outbound')
    await first.close()
    const badKey = outboundKey('ee/dst', 'normal', '01ARZ3NDEKTSV4RRFFQ69G5FAV')
    await tamper(dir, [[badKey, garbage]])

    const { store, lines, count } = await observedStore(t, dir)
    const peeked = await store.peek('ee/dst', 10)
    assert.deepEqual(
      peeked.map((m) => m.env.core.id),
      good.map((e) => e.core.id).sort(),
    )
    assert.equal(store.usage().messages, 2)
    assert.equal(store.usage().quarantined, 1)
    assert.equal(await count(), 1)
    const [held] = await store.quarantined()
    assert.equal(held?.key, badKey)
    assert.match(held?.reason ?? '', /malformed envelope/)
    assert.deepEqual(new Uint8Array(Buffer.from(held?.raw ?? '', 'base64')), garbage)
    const logged = lines.find((l) => l.msg === 'corrupt record quarantined')
    assert.equal(logged?.level, 50, 'logged at error level')
    assert.equal(logged?.key, badKey)
  })

  test('an envelope filed under the wrong key is quarantined too, and only once', async (t) => {
    const { dir, cleanup } = await tempDir()
    t.after(cleanup)
    const env = envelope({ dst: 'ee/elsewhere' })
    const wrongKey = outboundKey('ee/dst', 'normal', env.core.id)
    await tamper(dir, [[wrongKey, encodeEnvelope(env)]])
    const first = new LevelCustodyStore({ dir, limits: ROOMY })
    await first.open()
    assert.equal(first.usage().quarantined, 1)
    assert.deepEqual(first.destinations(), [])
    assert.match((await first.quarantined())[0]?.reason ?? '', /does not match its key/)
    await first.close()
    const { store, count } = await observedStore(t, dir)
    assert.equal(store.usage().quarantined, 1)
    assert.equal(await count(), 0, 'nothing new to quarantine on the second open')
  })

  test('a record that rots after open is quarantined when peeked, and peek carries on', async (t) => {
    const { dir, cleanup } = await tempDir()
    t.after(cleanup)
    const { store, count } = await observedStore(t, dir)
    const base = Date.now()
    const [rotten, sound] = [envelope({ createdAt: base - 10 }), envelope({ createdAt: base })]
    await store.accept(rotten, 'outbound')
    await store.accept(sound, 'outbound')
    // The store holds the only handle on its LevelDB, so reach in to damage a record.
    const db = (store as unknown as { db: Level<string, Uint8Array> }).db
    await db.put(outboundKey('ee/dst', 'normal', rotten.core.id), garbage)
    const peeked = await store.peek('ee/dst', 10)
    assert.deepEqual(
      peeked.map((m) => m.env.core.id),
      [sound.core.id],
    )
    assert.equal(await count(), 1)
    assert.equal(store.usage().messages, 1)
    assert.equal(store.isQueued(rotten.core.id), false)
  })

  test('a status record that does not parse is quarantined and reads as absent', async (t) => {
    const { dir, cleanup } = await tempDir()
    t.after(cleanup)
    const env = envelope()
    const first = new LevelCustodyStore({ dir, limits: ROOMY })
    await first.open()
    await first.accept(env, 'outbound', statusFromCore(env.core))
    await first.close()
    await tamper(dir, [[statusKey(env.core.id), new TextEncoder().encode('{"id":')]])
    const { store, count } = await observedStore(t, dir)
    assert.equal(await store.getStatus(env.core.id), undefined)
    assert.equal(await count(), 1)
    assert.equal((await store.peek('ee/dst', 1)).length, 1, 'the message itself is untouched')
  })
})
