import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { PrivateKey } from '@libp2p/interface'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { type LinkStateLink, signLinkState } from '../../../node/routing/link-state.ts'
import { type LinkStateChange, LinkStateDb } from '../../../node/routing/link-state-db.ts'

const T0 = 1_700_000_000_000

interface Member {
  name: string
  peerId: string
  key: PrivateKey
}

async function members(...names: string[]): Promise<Map<string, Member>> {
  const out = new Map<string, Member>()
  for (const name of names) {
    const key = await generateKeyPair('Ed25519')
    out.set(name, { name, peerId: peerIdFromPrivateKey(key).toString(), key })
  }
  return out
}

function link(peer: string, cost = 10): LinkStateLink {
  return { peer, cost, rttMs: cost, loss: 0 }
}

async function signed(
  m: Member,
  seq: number,
  links: LinkStateLink[],
  issuedAt = T0,
  key = m.key,
): Promise<Uint8Array> {
  return signLinkState({ origin: m.name, peerId: m.peerId, seq, issuedAt, links }, key)
}

async function setup(...names: string[]) {
  const roster = await members(...names)
  const db = new LinkStateDb({
    resolvePeerId: (name) => roster.get(name)?.peerId,
    maxAgeMs: 60_000,
    maxFutureMs: 5_000,
  })
  const changes: LinkStateChange[] = []
  db.addEventListener('change', (evt) => changes.push(evt.detail))
  const m = (name: string): Member => roster.get(name)!
  return { roster, db, changes, m }
}

describe('LinkStateDb', () => {
  test('keeps a newer record, announces it, and refuses replays and older sequence numbers', async () => {
    const { db, changes, m } = await setup('a', 'b')
    const first = await signed(m('a'), 10, [link('b')])
    assert.deepEqual(await db.apply(first, T0), { result: 'newer' })
    assert.equal((await db.apply(first, T0)).result, 'stale')
    assert.equal((await db.apply(await signed(m('a'), 9, []), T0)).result, 'stale')
    assert.equal((await db.apply(await signed(m('a'), 11, []), T0)).result, 'newer')
    assert.deepEqual(db.get('a')?.links, [])
    assert.deepEqual(changes, [
      { origin: 'a', cause: 'updated' },
      { origin: 'a', cause: 'updated' },
    ])
    assert.equal(db.version, 2)
    assert.deepEqual(db.encoded('a'), await signed(m('a'), 11, []))
  })

  test('refuses records from non-members, under the wrong peer id, or with a forged signature', async () => {
    const { db, m } = await setup('a', 'b')
    const outsider = (await members('x')).get('x')!
    assert.equal((await db.apply(await signed(outsider, 1, []), T0)).result, 'invalid')
    const wrongId = { ...m('a'), peerId: m('b').peerId }
    assert.equal(
      (await db.apply(await signed(wrongId, 1, [], T0, m('b').key), T0)).result,
      'invalid',
    )
    const forged = await signed(m('a'), 1, [link('b')], T0, m('b').key)
    const outcome = await db.apply(forged, T0)
    assert.equal(outcome.result, 'invalid')
    assert.match('reason' in outcome ? outcome.reason : '', /signature/)
    assert.equal((await db.apply(new Uint8Array([1, 2, 3]), T0)).result, 'invalid')
    assert.equal(db.records().length, 0)
  })

  test('refuses records issued beyond the clock-skew allowance or older than the maximum age', async () => {
    const { db, m } = await setup('a')
    assert.equal((await db.apply(await signed(m('a'), 1, [], T0 + 5_001), T0)).result, 'invalid')
    assert.equal((await db.apply(await signed(m('a'), 2, [], T0 - 60_001), T0)).result, 'stale')
    assert.equal((await db.apply(await signed(m('a'), 3, [], T0 + 4_000), T0)).result, 'newer')
  })

  test('accepts only one of two concurrent copies of the same record', async () => {
    const { db, changes, m } = await setup('a')
    const bytes = await signed(m('a'), 1, [])
    const outcomes = await Promise.all([db.apply(bytes, T0), db.apply(bytes, T0)])
    assert.deepEqual(outcomes.map((o) => o.result).sort(), ['newer', 'stale'])
    assert.equal(changes.length, 1)
  })

  test('ages out records not refreshed in time, then refuses their replay', async () => {
    const { db, changes, m } = await setup('a', 'b')
    const old = await signed(m('a'), 1, [link('b')], T0)
    await db.apply(old, T0)
    await db.apply(await signed(m('b'), 1, [link('a')], T0 + 30_000), T0 + 30_000)
    assert.deepEqual(db.expire(T0 + 60_000), [])
    assert.deepEqual(db.expire(T0 + 60_001), ['a'])
    assert.deepEqual(changes.at(-1), { origin: 'a', cause: 'expired' })
    assert.equal(db.get('a'), undefined)
    assert.equal((await db.apply(old, T0 + 60_001)).result, 'stale')
    assert.deepEqual([...db.graph().get('b')!.keys()], [])
  })

  test('builds a graph from links both ends report, each direction at its own cost', async () => {
    const { db, m } = await setup('a', 'b', 'c')
    await db.apply(await signed(m('a'), 1, [link('b', 5), link('c', 7)]), T0)
    await db.apply(await signed(m('b'), 1, [link('a', 6)]), T0)
    // c still claims a link to b that b does not report: it must not count.
    await db.apply(await signed(m('c'), 1, [link('b', 1)]), T0)
    const graph = db.graph()
    assert.deepEqual(Object.fromEntries(graph.get('a')!), { b: 5 })
    assert.deepEqual(Object.fromEntries(graph.get('b')!), { a: 6 })
    assert.deepEqual(Object.fromEntries(graph.get('c')!), {})
    await db.apply(await signed(m('c'), 2, [link('a', 8)]), T0)
    assert.deepEqual(Object.fromEntries(db.graph().get('c')!), { a: 8 })
    assert.deepEqual(Object.fromEntries(db.graph().get('a')!), { b: 5, c: 7 })
  })

  test('drops the records of members the new roster removed or re-keyed', async () => {
    const { roster, db, changes, m } = await setup('a', 'b', 'c')
    for (const name of ['a', 'b', 'c']) await db.apply(await signed(m(name), 1, []), T0)
    roster.delete('b')
    roster.set('c', { ...m('a'), name: 'c' })
    assert.deepEqual(db.revalidate().sort(), ['b', 'c'])
    assert.deepEqual(
      db.records().map((r) => r.origin),
      ['a'],
    )
    assert.deepEqual(
      changes.slice(-2).map((c) => c.cause),
      ['removed', 'removed'],
    )
  })
})
