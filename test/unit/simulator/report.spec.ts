import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { describe, test } from 'node:test'
import { check } from '../../../simulator/checker/checker.ts'
import { renderHtml } from '../../../simulator/report/report-html.ts'
import { buildReport } from '../../../simulator/report/report-json.ts'
import { renderVerdict } from '../../../simulator/report/terminal.ts'
import { writeReports } from '../../../simulator/report/write.ts'
import { loadScenario } from '../../../simulator/scenario/parse.ts'
import { sharedDir } from '../../../simulator/scenario/paths.ts'
import { syntheticHistory } from './history-fixture.ts'

const ESC = String.fromCharCode(27)
const EXAMPLE = resolve(sharedDir(), 'scenarios/example-ring.yaml')

describe('report', () => {
  test('report.json carries the contract fields with the checker figures', async () => {
    const scenario = await loadScenario(EXAMPLE)
    const history = syntheticHistory(scenario, [3, 4])
    const report = buildReport(scenario, history)
    const result = check(history, scenario)
    for (const key of [
      'scenario',
      'seed',
      'durationSeconds',
      'messages',
      'latencySeconds',
      'faults',
      'failoverSeconds',
      'recoverySeconds',
      'verdict',
    ]) {
      assert.ok(key in report, `missing ${key}`)
    }
    assert.equal(report.scenario, 'example-ring')
    assert.equal(report.seed, 7)
    assert.equal(report.durationSeconds, 60)
    assert.deepEqual(Object.keys(report.messages).sort(), [
      'accepted',
      'delivered',
      'duplicated',
      'expired',
      'lost',
      'redeliveredAfterCrash',
      'sent',
      'unexpected',
    ])
    assert.equal(report.messages.lost, 2)
    assert.deepEqual(report.ids.lost, ['f0-3', 'f0-4'])
    assert.deepEqual(Object.keys(report.latencySeconds), ['p50', 'p95', 'p99', 'max'])
    assert.deepEqual(report.faults[0], { at: 10, kind: 'cut', target: 'cable:penghu-1' })
    assert.deepEqual(report.faults[1], {
      at: 18,
      kind: 'powerLoss',
      target: 'node:taichung',
      for: 8,
    })
    assert.deepEqual(
      report.failoverSeconds,
      result.failovers.map((f) => f.seconds),
    )
    assert.deepEqual(report.recoverySeconds, [1.2])
    assert.equal(report.verdict.passed, false)
    assert.match(report.verdict.failures[0]!, /^2 messages lost/)
    assert.equal(report.startedAt, '2025-02-25T08:00:00.000Z')
    assert.deepEqual(JSON.parse(JSON.stringify(report)), report)
  })

  test('the timeseries counts each second and shades each fault until it is undone', async () => {
    const scenario = await loadScenario(EXAMPLE)
    const history = syntheticHistory(scenario)
    const { timeseries: ts, messages } = buildReport(scenario, history)
    assert.equal(ts.seconds.length, 60)
    assert.equal(
      ts.sent.reduce((a, b) => a + b, 0),
      messages.sent,
    )
    assert.equal(
      ts.delivered.reduce((a, b) => a + b, 0),
      messages.delivered,
    )
    // Flows send 40 + 10 messages a second from 0 s, plus 20 from 5 s.
    assert.equal(ts.sent[1], 50)
    assert.equal(ts.sent[6], 70)
    assert.equal(ts.latencyMax[50], null)
    assert.ok((ts.latencyMax[10] ?? 0) >= 0.6)
    assert.equal(ts.backlog.length, 5)
    assert.equal(ts.backlog[0]?.at.length, 120)
    const spans = ts.faultSpans.map((s) => [s.kind, s.from, s.to])
    assert.deepEqual(spans, [
      ['cut', 10, 35],
      ['powerLoss', 18, 26],
      ['degrade', 25, 60],
      ['cut', 30, 38],
    ])
  })

  test('the terminal table aligns its columns and colours only when asked', async () => {
    const scenario = await loadScenario(EXAMPLE)
    const report = buildReport(scenario, syntheticHistory(scenario, [1]))
    const plain = renderVerdict(report, { color: false })
    assert.ok(!plain.includes(ESC), 'no escape codes without colour')
    const lines = plain.split('\n')
    const header = lines.find((l) => l.startsWith('check'))!
    const lost = lines.find((l) => l.startsWith('lost'))!
    assert.equal(lost.indexOf('1'), header.indexOf('observed'))
    assert.equal(lost.indexOf('<= 0'), header.indexOf('expected'))
    assert.match(lost, /FAIL$/)
    assert.match(lines.find((l) => l.startsWith('duplicated'))!, /ok$/)
    assert.match(plain, /verdict: FAILED\n {2}- 1 message lost/)
    const coloured = renderVerdict(report, { color: true })
    assert.ok(coloured.includes(`${ESC}[31mFAIL${ESC}[0m`), 'FAIL in red')
  })

  test('report.html is one self-contained page with the data, charts and verdict', async () => {
    const scenario = await loadScenario(EXAMPLE)
    const report = buildReport(scenario, syntheticHistory(scenario))
    const html = await renderHtml(report)
    for (const id of ['chart-deliveries', 'chart-latency', 'chart-backlog', 'report-data']) {
      assert.ok(html.includes(`id="${id}"`), id)
    }
    assert.doesNotMatch(html, /<script[^>]+src=|<link[^>]+stylesheet|https?:\/\/[^"'\s]*\.(js|css)/)
    assert.ok(html.includes('uPlot'))
    const data = /<script type="application\/json" id="report-data">(.*?)<\/script>/s.exec(html)
    assert.deepEqual(JSON.parse(data![1]!), JSON.parse(JSON.stringify(report)))
    assert.match(html, /badge passed/)
  })

  test('writeReports puts both files in the run folder', async () => {
    const scenario = await loadScenario(EXAMPLE)
    const out = await mkdtemp(join(tmpdir(), 'lifeline-report-'))
    try {
      const report = buildReport(scenario, syntheticHistory(scenario))
      const paths = await writeReports(out, report)
      assert.deepEqual(JSON.parse(await readFile(paths.json, 'utf8')).messages, report.messages)
      assert.match(await readFile(paths.html, 'utf8'), /^<!doctype html>/)
    } finally {
      await rm(out, { recursive: true, force: true })
    }
  })
})
