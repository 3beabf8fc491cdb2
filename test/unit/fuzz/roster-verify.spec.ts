import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import fc from 'fast-check'
import { isLifelineError } from '../../../node/core/errors.ts'
import { signRoster, verifyRoster } from '../../../node/trust/roster.ts'
import { makeFederation } from '../trust/fixtures.ts'

const RUNS = 10_000
/**
 * Per-call bound: far above the microseconds a call takes, so a busy CI machine does not trip
 * it, yet a decoder that loops or backtracks catastrophically does.
 */
const MAX_CALL_MS = 2_000
const fed = await makeFederation()
const signed = signRoster(fed.doc, fed.authority.secretKey)
const signedText = JSON.stringify(signed)
const key = fed.authority.publicKey

type Outcome = 'verified' | 'DECODE_FAILED' | 'BAD_SIGNATURE'

/** verifyRoster must return a roster or throw DECODE_FAILED / BAD_SIGNATURE; nothing else. */
function verifyOrRefuse(input: string | Uint8Array): Outcome {
  const started = performance.now()
  try {
    verifyRoster(input, key)
    return 'verified'
  } catch (err) {
    const ok = isLifelineError(err, 'DECODE_FAILED') || isLifelineError(err, 'BAD_SIGNATURE')
    assert.ok(ok, `unexpected ${String(err)}`)
    return err.code as Outcome
  } finally {
    const took = performance.now() - started
    assert.ok(took < MAX_CALL_MS, `verifying took ${took} ms`)
  }
}

/** Every path into a JSON tree (object keys and array indexes). */
function paths(value: unknown, prefix: Array<string | number> = []): Array<Array<string | number>> {
  if (value === null || typeof value !== 'object') return [prefix]
  const entries = Array.isArray(value)
    ? value.map((v, i) => [i, v] as const)
    : Object.entries(value)
  return [prefix, ...entries.flatMap(([k, v]) => paths(v, [...prefix, k]))]
}

const ALL_PATHS = paths(signed)

/** Replaces (or, with `undefined`, deletes) the value at `path` in a deep copy of `root`. */
function replaceAt(root: unknown, path: Array<string | number>, value: unknown): unknown {
  if (path.length === 0) return value
  const copy = structuredClone(root) as Record<string | number, unknown>
  let at = copy
  for (const k of path.slice(0, -1)) at = at[k] as Record<string | number, unknown>
  const last = path[path.length - 1]!
  if (value === undefined) delete at[last]
  else at[last] = value
  return copy
}

describe('roster verification fuzzing', { timeout: 60_000 }, () => {
  test('random text and bytes are refused with DECODE_FAILED', () => {
    const input = fc.oneof(fc.string({ maxLength: 300 }), fc.uint8Array({ maxLength: 300 }))
    fc.assert(
      fc.property(input, (i) => {
        assert.equal(verifyOrRefuse(i), 'DECODE_FAILED')
      }),
      { numRuns: RUNS },
    )
  })

  test('random JSON documents are refused with DECODE_FAILED', () => {
    const doc = fc.oneof(
      fc.jsonValue({ maxDepth: 4 }),
      fc.record({ roster: fc.jsonValue({ maxDepth: 3 }), signature: fc.string() }),
    )
    fc.assert(
      fc.property(doc, (d) => {
        assert.equal(verifyOrRefuse(JSON.stringify(d) ?? ''), 'DECODE_FAILED')
      }),
      { numRuns: RUNS },
    )
  })

  test('a signed roster with any one value replaced or removed never verifies unless unchanged', () => {
    const value = fc.oneof(
      fc.constant(undefined),
      fc.jsonValue({ maxDepth: 2 }),
      fc.string({ maxLength: 60 }),
      fc.integer(),
    )
    const outcomes = new Set<Outcome>()
    fc.assert(
      fc.property(fc.constantFrom(...ALL_PATHS), value, (path, v) => {
        const mutated = JSON.stringify(replaceAt(signed, path, v)) ?? ''
        const outcome = verifyOrRefuse(mutated)
        outcomes.add(outcome)
        if (outcome === 'verified') assert.equal(canonical(mutated), canonical(signedText))
      }),
      { numRuns: RUNS },
    )
    assert.ok(outcomes.has('BAD_SIGNATURE') && outcomes.has('DECODE_FAILED'), [...outcomes].join())
  })

  test('a signed roster with a character changed is refused unless the JSON means the same', () => {
    fc.assert(
      fc.property(
        fc.nat(signedText.length - 1),
        fc.string({ minLength: 1, maxLength: 1, unit: 'binary' }),
        (at, ch) => {
          const mutated = signedText.slice(0, at) + ch + signedText.slice(at + 1)
          if (verifyOrRefuse(mutated) === 'verified') {
            assert.equal(canonical(mutated), canonical(signedText))
          }
        },
      ),
      { numRuns: RUNS },
    )
  })
})

/** Order-insensitive comparison key of a JSON text. */
function canonical(text: string): string {
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort)
    if (v === null || typeof v !== 'object') return v
    return Object.fromEntries(
      Object.entries(v)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([k, x]) => [k, sort(x)]),
    )
  }
  return JSON.stringify(sort(JSON.parse(text)))
}
