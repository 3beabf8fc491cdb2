import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import fc from 'fast-check'
import { type Envelope, encodeEnvelope, PRIORITIES } from '../../../node/core/envelope.ts'
import { isLifelineError } from '../../../node/core/errors.ts'
import {
  type CustodyStore,
  openCustodyStore,
  type Place,
  type StoreUsage,
} from '../../../node/store/index.ts'
import { envelope, tempDir } from './fixtures.ts'

const DSTS = ['ee/a', 'ee/b']
const BASE = 1_700_000_000_000
const LIMITS = { maxMessages: 6, maxBytes: 6 * 700 }

type Op =
  | { kind: 'accept'; place: Place; dst: number; priority: number; size: number; age: number }
  | { kind: 'again'; pick: number }
  | { kind: 'release'; pick: number }
  | { kind: 'delivered'; pick: number; receipt: boolean }
  | { kind: 'expire'; pick: number }
  | { kind: 'sweep'; at: number }

const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('accept' as const),
      place: fc.constantFrom<Place>('outbound', 'inbound'),
      dst: fc.nat(DSTS.length - 1),
      priority: fc.nat(2),
      size: fc.integer({ min: 0, max: 600 }),
      age: fc.nat(5),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('again' as const), pick: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('release' as const), pick: fc.nat() }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('delivered' as const),
      pick: fc.nat(),
      receipt: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('expire' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('sweep' as const), at: fc.nat(5) }) },
)

interface Held {
  env: Envelope
  place: Place
  bytes: number
}

/** What the store should hold: a map of messages and the set of ids ever taken. */
class Model {
  readonly held = new Map<string, Held>()
  readonly seen = new Set<string>()
  readonly all: Envelope[] = []

  bytes(): number {
    return [...this.held.values()].reduce((sum, h) => sum + h.bytes, 0)
  }

  pick(n: number): Envelope | undefined {
    return this.all[n % Math.max(this.all.length, 1)]
  }

  /** 'accepted', 'duplicate' or 'full', as the store should answer. */
  accept(env: Envelope, place: Place): string {
    const bytes = encodeEnvelope(env).length
    if (this.seen.has(env.core.id)) return 'duplicate'
    if (this.held.size + 1 > LIMITS.maxMessages) return 'full'
    if (this.bytes() + bytes > LIMITS.maxBytes) return 'full'
    this.take(env, place)
    return 'accepted'
  }

  take(env: Envelope, place: Place): void {
    this.held.set(env.core.id, { env, place, bytes: encodeEnvelope(env).length })
    this.seen.add(env.core.id)
    this.all.push(env)
  }

  usage(): Pick<StoreUsage, 'messages' | 'bytes' | 'inbound'> {
    const inbound = [...this.held.values()].filter((h) => h.place === 'inbound')
    return {
      messages: this.held.size,
      bytes: this.bytes(),
      inbound: { messages: inbound.length, bytes: inbound.reduce((s, h) => s + h.bytes, 0) },
    }
  }
}

async function apply(store: CustodyStore, model: Model, o: Op): Promise<void> {
  if (o.kind === 'accept' || o.kind === 'again') {
    const env =
      o.kind === 'again'
        ? model.pick(o.pick)
        : envelope({
            dst: DSTS[o.dst],
            priority: PRIORITIES[o.priority],
            payloadBytes: o.size,
            createdAt: BASE - o.age * 1000,
            expiresAt: BASE + o.age * 1000,
          })
    if (env === undefined) return
    const place = o.kind === 'accept' ? o.place : 'outbound'
    const expected = model.accept(env, place)
    const actual = await store.accept(env, place).catch((err: unknown) => {
      if (isLifelineError(err, 'STORE_FULL')) return 'full'
      throw err
    })
    assert.equal(actual, expected)
  } else if (o.kind === 'release') {
    const id = model.pick(o.pick)?.core.id ?? 'none'
    await store.release(id)
    if (model.held.get(id)?.place === 'outbound') model.held.delete(id)
  } else if (o.kind === 'delivered') {
    const msg = model.pick(o.pick)
    if (msg === undefined) return
    const receipt = o.receipt
      ? envelope({ kind: 'receipt', dst: 'ee/a', ref: msg.core.id, expiresAt: BASE + 9000 })
      : undefined
    await store.delivered(msg.core.id, receipt)
    if (model.held.get(msg.core.id)?.place === 'inbound') model.held.delete(msg.core.id)
    if (receipt !== undefined) model.take(receipt, 'outbound')
  } else if (o.kind === 'expire') {
    const id = model.pick(o.pick)?.core.id ?? 'none'
    const gone = await store.expire(id)
    assert.equal(gone?.env.core.id, model.held.has(id) ? id : undefined)
    model.held.delete(id)
  } else {
    const now = BASE + o.at * 1000
    const swept = (await store.sweepExpired(now)).map((m) => m.env.core.id).sort()
    const due = [...model.held.values()].filter((h) => h.env.core.expiresAt <= now)
    assert.deepEqual(swept, due.map((h) => h.env.core.id).sort())
    for (const h of due) model.held.delete(h.env.core.id)
  }
}

/** Compares contents (in peek order), usage and dedupe with the model. */
async function assertSame(store: CustodyStore, model: Model): Promise<void> {
  const order = (a: Held, b: Held) =>
    PRIORITIES.indexOf(a.env.core.priority) - PRIORITIES.indexOf(b.env.core.priority) ||
    (a.env.core.id < b.env.core.id ? -1 : 1)
  const held = [...model.held.values()]
  for (const dst of DSTS) {
    const expected = held.filter((h) => h.place === 'outbound' && h.env.core.dst === dst)
    const actual = await store.peek(dst, 100)
    assert.deepEqual(
      actual.map((m) => m.env.core.id),
      expected.sort(order).map((h) => h.env.core.id),
    )
    for (const m of actual) assert.deepEqual(m.env, model.held.get(m.env.core.id)?.env)
  }
  const inbound = held.filter((h) => h.place === 'inbound').map((h) => h.env.core.id)
  assert.deepEqual(
    (await store.inbound(100)).map((m) => m.env.core.id),
    inbound.sort(),
  )
  const { messages, bytes, inbound: inboundUsage } = store.usage()
  assert.deepEqual({ messages, bytes, inbound: inboundUsage }, model.usage())
  for (const env of model.all) assert.equal(await store.seen(env.core.id), true)
}

describe('custody store against a model', () => {
  test('random operations leave the same contents and usage as the model, also after reopen', async () => {
    const { dir, cleanup } = await tempDir()
    let run = 0
    try {
      await fc.assert(
        fc.asyncProperty(
          fc.array(op, { minLength: 1, maxLength: 60, size: 'max' }),
          async (ops) => {
            const runDir = `${dir}/run-${run++}`
            const model = new Model()
            let store = await openCustodyStore({ dir: runDir, limits: LIMITS })
            try {
              for (const o of ops) await apply(store, model, o)
              await assertSame(store, model)
              await store.close()
              store = await openCustodyStore({ dir: runDir, limits: LIMITS })
              await assertSame(store, model)
            } finally {
              await store.close()
            }
          },
        ),
        { numRuns: 40 },
      )
    } finally {
      await cleanup()
    }
  })
})
