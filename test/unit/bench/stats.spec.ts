import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import fc from 'fast-check'
import { constant, latencyPercentiles, quantile, summarize } from '../../../test/bench/stats.ts'

const samples = fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), {
  minLength: 1,
  maxLength: 200,
})

describe('benchmark statistics', () => {
  test('the median of an odd count is the middle sample, of an even count the mean of the two', () => {
    assert.equal(summarize([5, 1, 3]).median, 3)
    assert.equal(summarize([4, 1, 3, 2]).median, 2.5)
  })

  test('quantiles interpolate between ranks: p90 of 1..11 is 10', () => {
    assert.equal(quantile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 0.9), 10)
    assert.equal(quantile([0, 10], 0.25), 2.5)
  })

  test('a summary is ordered min <= p10 <= median <= p90 <= max, all taken from the samples range', () => {
    fc.assert(
      fc.property(samples, (values) => {
        const s = summarize(values)
        assert.equal(s.n, values.length)
        assert.ok(s.min <= s.p10 && s.p10 <= s.median && s.median <= s.p90 && s.p90 <= s.max)
        assert.equal(s.min, Math.min(...values))
        assert.equal(s.max, Math.max(...values))
      }),
    )
  })

  test('summaries ignore the order samples came in', () => {
    fc.assert(
      fc.property(samples, (values) => {
        assert.deepEqual(summarize(values), summarize([...values].reverse()))
      }),
    )
  })

  test('non-finite samples (a trial that timed out as NaN) are left out, and no samples give NaN', () => {
    assert.equal(summarize([1, Number.NaN, 3, Number.POSITIVE_INFINITY]).n, 2)
    assert.ok(Number.isNaN(summarize([]).median))
  })

  test('p99 of a hundred latencies sits just below the slowest, p50 at the middle', () => {
    const latencies = Array.from({ length: 100 }, (_, i) => i + 1)
    const { p50, p99 } = latencyPercentiles(latencies)
    assert.equal(p50, 50.5)
    assert.ok(p99 > 99 && p99 < 100, `p99 ${p99}`)
  })

  test('a constant has no spread', () => {
    assert.deepEqual(constant(600), { n: 1, median: 600, p10: 600, p90: 600, min: 600, max: 600 })
  })
})
