import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import fc from 'fast-check'
import { PRIORITIES } from '../../../node/core/envelope.ts'
import { type IndexEntry, QueueIndex } from '../../../node/store/queue-index.ts'
import { idAt } from './fixtures.ts'

const DSTS = ['ee/a', 'ee/b', 'ee/a.b']
const BASE = 1_700_000_000_000

type Command =
  | { kind: 'add'; age: number; dst: number; priority: number; inbound: boolean; bytes: number }
  | { kind: 'remove'; pick: number }
  | { kind: 'expire'; at: number }

const command: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('add' as const),
      age: fc.nat(50_000),
      dst: fc.nat(DSTS.length - 1),
      priority: fc.nat(2),
      inbound: fc.boolean(),
      bytes: fc.integer({ min: 1, max: 500 }),
    }),
  },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('remove' as const), pick: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('expire' as const), at: fc.nat(60_000) }),
  },
)

const order = (a: IndexEntry, b: IndexEntry) =>
  PRIORITIES.indexOf(a.priority) - PRIORITIES.indexOf(b.priority) || (a.id < b.id ? -1 : 1)

function assertMatches(index: QueueIndex, model: Map<string, IndexEntry>): void {
  const all = [...model.values()]
  assert.equal(index.messages, all.length)
  assert.equal(
    index.bytes,
    all.reduce((sum, e) => sum + e.bytes, 0),
  )
  for (const dst of DSTS) {
    const expected = all.filter((e) => e.place === 'outbound' && e.dst === dst).sort(order)
    assert.deepEqual(
      index.peekOutbound(dst, Number.MAX_SAFE_INTEGER).map((e) => e.id),
      expected.map((e) => e.id),
    )
  }
  const inbound = all.filter((e) => e.place === 'inbound').sort(order)
  assert.deepEqual(
    index.peekInbound(Number.MAX_SAFE_INTEGER).map((e) => e.id),
    inbound.sort((a, b) => (a.id < b.id ? -1 : 1)).map((e) => e.id),
  )
  const withMessages = new Set(all.filter((e) => e.place === 'outbound').map((e) => e.dst))
  assert.deepEqual(index.destinations().sort(), [...withMessages].sort())
}

describe('queue index', () => {
  test('matches a plain model through long random runs of adds, removals and expiry', () => {
    fc.assert(
      fc.property(fc.array(command, { minLength: 1, maxLength: 3000, size: 'max' }), (commands) => {
        const index = new QueueIndex()
        const model = new Map<string, IndexEntry>()
        const known: string[] = []
        commands.forEach((c, step) => {
          if (c.kind === 'add') {
            const entry: IndexEntry = {
              id: idAt(BASE - c.age),
              place: c.inbound ? 'inbound' : 'outbound',
              dst: DSTS[c.dst]!,
              priority: PRIORITIES[c.priority]!,
              bytes: c.bytes,
              expiresAt: BASE + c.age,
              removed: false,
            }
            index.add(entry)
            model.set(entry.id, entry)
            known.push(entry.id)
          } else if (c.kind === 'remove') {
            const id = known[c.pick % Math.max(known.length, 1)] ?? 'unknown'
            assert.equal(index.remove(id)?.id, model.get(id)?.id)
            model.delete(id)
          } else {
            const due = index.takeExpired(BASE + c.at).map((e) => e.id)
            const expected = [...model.values()].filter((e) => e.expiresAt <= BASE + c.at)
            assert.deepEqual(due.sort(), expected.map((e) => e.id).sort())
            for (const e of expected) model.delete(e.id)
          }
          if (step % 250 === 0) assertMatches(index, model)
        })
        assertMatches(index, model)
      }),
      // Shrinking thousands of commands takes minutes; report the first failure as is.
      { numRuns: 25, endOnFailure: true },
    )
  })

  test('one lane stays ordered through heavy random removal, compaction and late inserts', () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat(1_000_000), { minLength: 3000, maxLength: 3000 }),
        fc.array(fc.nat(1_000_000), { minLength: 50, maxLength: 50 }),
        (ages, lateAges) => {
          const index = new QueueIndex()
          const mk = (age: number): IndexEntry => ({
            id: idAt(BASE - age),
            place: 'outbound',
            dst: 'ee/a',
            priority: 'normal',
            bytes: 1,
            expiresAt: BASE + age,
            removed: false,
          })
          const model = new Map<string, IndexEntry>()
          for (const e of ages.map(mk)) {
            index.add(e)
            model.set(e.id, e)
          }
          const victims = [...model.keys()].filter((_, i) => ages[i]! % 7 !== 0)
          for (const id of victims) {
            index.remove(id)
            model.delete(id)
          }
          for (const e of lateAges.map(mk)) {
            index.add(e)
            model.set(e.id, e)
          }
          assertMatches(index, model)
        },
      ),
      { numRuns: 10, endOnFailure: true },
    )
  })

  test('peek skips excluded ids without losing its place in priority order', () => {
    const index = new QueueIndex()
    const mk = (id: string, priority: IndexEntry['priority']): IndexEntry => ({
      id,
      place: 'outbound',
      dst: 'ee/a',
      priority,
      bytes: 1,
      expiresAt: BASE,
      removed: false,
    })
    for (const [id, p] of [
      ['A1', 'bulk'],
      ['A2', 'critical'],
      ['A3', 'critical'],
      ['A4', 'normal'],
    ] as const) {
      index.add(mk(id, p))
    }
    const exclude = new Set(['A2', 'A4'])
    assert.deepEqual(
      index.peekOutbound('ee/a', 2, exclude).map((e) => e.id),
      ['A3', 'A1'],
    )
  })
})
