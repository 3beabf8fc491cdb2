import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import fc from 'fast-check'
import { metricNames, rangeSelectors } from '../../../dashboards/src/promql.ts'

describe('metricNames', () => {
  test('finds the metric of a plain selector and ignores its label matchers', () => {
    assert.deepEqual(metricNames('lifeline_link_up{gateway="a", peer=~"b|c"}'), [
      'lifeline_link_up',
    ])
  })

  test('skips functions, aggregations, grouping labels and range selectors', () => {
    const expr =
      'histogram_quantile(0.95, sum by (le, priority) ' +
      '(rate(lifeline_delivery_latency_seconds_bucket{gateway="$gateway"}[$__rate_interval])))'
    assert.deepEqual(metricNames(expr), ['lifeline_delivery_latency_seconds_bucket'])
  })

  test('reads both sides of binary and set operations, with on/ignoring lists', () => {
    const expr =
      '(sum by (gateway, destination) (lifeline_queue_messages) > 0) unless on (gateway, ' +
      'destination) (lifeline_routes_available > 0) or time() - lifeline_roster_issued_seconds'
    assert.deepEqual(metricNames(expr), [
      'lifeline_queue_messages',
      'lifeline_routes_available',
      'lifeline_roster_issued_seconds',
    ])
  })

  test('ignores numbers, durations, offsets, strings and keywords', () => {
    const expr =
      'label_replace(up offset 5m, "x", "lifeline_fake", "job", "(.*)") * 1e-3 ' +
      '+ on () group_left (job) 3 * 86400 > bool 0x1F'
    assert.deepEqual(metricNames(expr), ['up'])
  })

  test('finds every metric woven into a random expression', () => {
    const name = fc.stringMatching(/^[a-z_][a-z0-9_]{0,20}$/).filter((n) => !isReserved(n))
    const selector = fc.tuple(name, fc.constantFrom('', '{a="x"}', '{gateway="$gateway"}'))
    const wrap = fc.constantFrom(
      (s: string) => s,
      (s: string) => `rate(${s}[$__rate_interval])`,
      (s: string) => `sum by (le, destination) (${s})`,
      (s: string) => `(${s} > 0.9)`,
    )
    const operator = fc.constantFrom(' + ', ' / ', ' and ', ' unless on (gateway) ', ' or ')
    fc.assert(
      fc.property(fc.array(fc.tuple(selector, wrap, operator), { minLength: 1 }), (parts) => {
        const expr = parts.map(([[n, labels], w, op], i) => (i ? op : '') + w(n + labels)).join('')
        const expected = [...new Set(parts.map(([[n]]) => n))]
        assert.deepEqual(metricNames(expr), expected)
      }),
    )
  })
})

describe('rangeSelectors', () => {
  test('lists every range and subquery window, outside strings', () => {
    const expr = 'deriv(x[5m]) + max_over_time(rate(y[$__rate_interval])[10m:1m]) + z{a="[1m]"}'
    assert.deepEqual(rangeSelectors(expr), ['5m', '$__rate_interval', '10m:1m'])
  })
})

function isReserved(name: string): boolean {
  const words = ['and', 'or', 'unless', 'by', 'without', 'on', 'ignoring', 'offset', 'bool']
  return words.includes(name) || /^(group_left|group_right|atan2|inf|nan)$/.test(name)
}
