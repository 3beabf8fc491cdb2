import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { parseMetrics } from '../../../test/bench/bench-mesh.ts'
import { compare, type FigureResult } from '../../../test/bench/figure.ts'
import {
  formatNumber,
  formatSummary,
  formatTable,
  targetTally,
} from '../../../test/bench/report.ts'
import { constant, summarize } from '../../../test/bench/stats.ts'

describe('benchmark report', () => {
  test('a row compared with a baseline carries the ratio of the medians', () => {
    const row = compare('rate', 'msg/s', summarize([90, 100, 110]), {
      label: 'raw',
      value: summarize([400, 400]),
    })
    assert.equal(row.ratio, 0.25)
  })

  test('a row without a baseline has no ratio', () => {
    assert.equal(compare('rss', 'MiB', constant(70)).ratio, undefined)
  })

  test('numbers keep decimals only where they matter', () => {
    assert.equal(formatNumber(12345.6), '12,346')
    assert.equal(formatNumber(12.345), '12.3')
    assert.equal(formatNumber(1.2345), '1.23')
    assert.equal(formatNumber(0.12345), '0.123')
    assert.equal(formatNumber(Number.NaN), '-')
  })

  test('a summary prints as median with its min-max spread, a single sample without', () => {
    assert.equal(formatSummary(summarize([3, 1, 2]), 'ms'), '2.00 ms (1.00-3.00)')
    assert.equal(formatSummary(constant(600), 'ms'), '600 ms')
  })

  test('the table shows every figure title, baseline, ratio and a PASS or MISS per target', () => {
    const figure: FigureResult = {
      id: 'x',
      title: '9. Example figure',
      seconds: 3,
      notes: [],
      rows: [
        compare(
          'idle rss',
          'MiB',
          constant(120),
          { label: 'bare node', value: constant(40) },
          { text: '< 80 MiB', pass: false },
        ),
        compare('k=3', 'ms', constant(20), undefined, { text: '< 100 ms', pass: true }),
      ],
    }
    const table = formatTable([figure])
    assert.match(table, /9\. Example figure/)
    assert.match(table, /bare node: 40\.0 MiB/)
    assert.match(table, /3\.00x/)
    assert.match(table, /< 80 MiB MISS/)
    assert.match(table, /< 100 ms PASS/)
    assert.deepEqual(targetTally([figure]), { met: 1, missed: 1 })
  })

  test('metric scraping reads unlabelled samples and skips comments and labelled series', () => {
    const text = [
      '# HELP lifeline_store_syncs_total Synced commits',
      '# TYPE lifeline_store_syncs_total counter',
      'lifeline_store_syncs_total 42',
      'lifeline_store_commits_total 420',
      'lifeline_queue_messages{destination="b",priority="normal"} 7',
    ].join('\n')
    const values = parseMetrics(text)
    assert.equal(values.get('lifeline_store_syncs_total'), 42)
    assert.equal(values.get('lifeline_store_commits_total'), 420)
    assert.equal(values.size, 2)
  })
})
