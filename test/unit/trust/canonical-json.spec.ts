import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import fc from 'fast-check'
import { canonicalJson } from '../../../node/trust/canonical-json.ts'

const value = fc.letrec((tie) => ({
  any: fc.oneof(
    { depthSize: 'small' },
    fc.string(),
    fc.maxSafeInteger(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('any'), { maxLength: 4 }),
    fc.dictionary(fc.string(), tie('any'), { maxKeys: 5 }),
  ),
})).any

function shuffleKeys(v: unknown, seed: number): unknown {
  if (Array.isArray(v)) return v.map((x) => shuffleKeys(x, seed))
  if (v === null || typeof v !== 'object') return v
  const entries = Object.entries(v).map(([k, x]) => [k, shuffleKeys(x, seed)] as const)
  const rotated = entries.map((_, i) => entries[(i + seed) % entries.length]!)
  return Object.fromEntries(rotated)
}

describe('canonical JSON', () => {
  test('the encoding is the same whatever order object keys were inserted in', () => {
    fc.assert(
      fc.property(value, fc.nat(10), (v, seed) => {
        assert.equal(canonicalJson(shuffleKeys(v, seed)), canonicalJson(v))
      }),
      { numRuns: 300 },
    )
  })

  test('the encoding parses back to an equal value', () => {
    fc.assert(
      fc.property(value, (v) => {
        assert.deepEqual(JSON.parse(canonicalJson(v)), JSON.parse(JSON.stringify(v)))
      }),
      { numRuns: 300 },
    )
  })

  test('keys are sorted and no whitespace is written', () => {
    assert.equal(
      canonicalJson({ b: [1, { d: 'x', c: true }], a: null }),
      '{"a":null,"b":[1,{"c":true,"d":"x"}]}',
    )
  })

  test('numbers with several spellings and non-JSON values are refused', () => {
    assert.throws(() => canonicalJson(1.5), TypeError)
    assert.throws(() => canonicalJson(2 ** 60), TypeError)
    assert.throws(() => canonicalJson(new Date()), TypeError)
    assert.throws(() => canonicalJson(() => 1), TypeError)
  })
})
