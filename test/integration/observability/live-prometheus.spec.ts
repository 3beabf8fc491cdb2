import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { after, before, describe, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { alertRules } from '../../../dashboards/src/alert-rules.ts'
import { buildDashboards } from '../../../dashboards/src/index.ts'
import { type PanelQuery, panelQueries, variableQueries } from '../../../dashboards/src/queries.ts'
import { silentLogger } from '../../../node/core/log.ts'
import { type DrillOutcome, runDrill } from '../../../simulator/runner/drill.ts'
import type { TargetGroup } from '../../../simulator/runner/service-discovery.ts'
import { parseScenario } from '../../../simulator/scenario/parse.ts'
import { type PrometheusServer, startPrometheus } from './prometheus-server.ts'

/** The gateway the `$gateway` variable is set to: it sends, receives and relays. */
const GATEWAY = 'a'
const RATE_INTERVAL = '1m'

/**
 * Series whose names this project does not choose, so promtool's findings on
 * them are tolerated: prom-client's default `nodejs_active_*_total` gauges and
 * libp2p's own metrics. Everything else, `lifeline_*` above all, must lint clean.
 */
const UPSTREAM_NAMES = /^(libp2p_[a-z0-9_]+|nodejs_active_(handles|requests|resources)_total) /

/**
 * A triangle of real gateways for half a minute. Every panel must show data,
 * so the drill provokes what some panels only show under a fault: a blackholed
 * link (link down, route changes, rerouting), a power loss (a gateway down,
 * backlog, transfer retries), and short-lived bulk messages to the powered-off
 * gateway (expiries). The test adds a submission to an unknown member
 * (a rejection).
 */
const SCENARIO = {
  name: 'observability-live',
  seed: 11,
  duration: '26s',
  topology: {
    nodes: [{ id: 'a' }, { id: 'b' }, { id: 'c' }],
    links: [
      { a: 'a', b: 'b', latency: '2ms' },
      { a: 'b', b: 'c', latency: '2ms' },
      { a: 'a', b: 'c', latency: '2ms' },
    ],
  },
  traffic: [
    { from: 'a', to: 'c', rate: '8/s', size: '512B', priority: 'normal', stop: '24s' },
    { from: 'c', to: 'a', rate: '4/s', size: '512B', priority: 'critical', stop: '24s' },
    { from: 'b', to: 'c', rate: '4/s', size: '256B', priority: 'bulk', ttl: '2s', stop: '24s' },
  ],
  faults: [
    { at: '5s', cut: { link: 'a-c', mode: 'blackhole', for: '6s' } },
    { at: '13s', powerLoss: { node: 'c', for: '6s' } },
  ],
  expect: { lost: 0, duplicated: 0 },
}

interface LiveRun {
  prometheus: PrometheusServer
  startedAt: number
  endedAt: number
  outcome: DrillOutcome
  /** `promtool check metrics` results of live /metrics bodies, by target. */
  lint: Map<string, { code: number; output: string }>
  rejectedStatus: number
}

const devNull = new Writable({ write: (_chunk, _encoding, done) => done() })

describe('dashboards and alerts against a live mesh', { timeout: 150_000 }, () => {
  let run: LiveRun | undefined
  let dir = ''
  let prometheus: PrometheusServer | undefined

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lifeline-live-prom-'))
    const targetsDir = join(dir, 'targets')
    await mkdir(targetsDir)
    prometheus = await startPrometheus({ dir, targetsDir, scrapeInterval: '1s' })
    run = await drillUnderPrometheus(dir, join(targetsDir, 'drill.json'), prometheus)
  })

  after(async () => {
    await prometheus?.stop()
    await rm(dir, { recursive: true, force: true })
  })

  test('every panel query of every dashboard returns data', async () => {
    const live = run!
    const empty: string[] = []
    for (const { dashboard } of buildDashboards()) {
      for (const query of panelQueries(dashboard)) {
        const series = await rangeOf(live, substitute(query))
        if (series.length === 0) empty.push(`${query.dashboard} / ${query.panel} / ${query.expr}`)
      }
    }
    assert.deepEqual(empty, [], `panel queries without data:\n${empty.join('\n')}`)
    // The same check on a series nobody exports must come back empty.
    assert.deepEqual(await rangeOf(live, 'lifeline_no_such_series'), [])
  })

  test('the faults reached the metrics: a link, a gateway and a fault seen in their bad state', async () => {
    const live = run!
    const { delivered, expired } = live.outcome.result.messages
    assert.ok(delivered > 0 && expired > 0, `delivered ${delivered}, expired ${expired}`)
    for (const expr of [
      'lifeline_link_up == 0',
      'up{gateway!=""} == 0',
      'lifeline_drill_fault_active == 1',
      'lifeline_routes_available < 2',
      'increase(lifeline_messages_expired_total[1m]) > 0',
    ]) {
      assert.ok((await rangeOf(live, expr)).length > 0, `never true during the drill: ${expr}`)
    }
  })

  test('every template variable query lists the gateways of the mesh', async () => {
    for (const { dashboard } of buildDashboards()) {
      for (const variable of variableQueries(dashboard)) {
        const match = /^label_values\((.+),\s*(\w+)\)$/.exec(variable.query)
        assert.ok(match !== null, `${variable.name}: ${variable.query} is not label_values()`)
        const values = await run!.prometheus.labelValues(match[2]!, match[1]!)
        assert.deepEqual(values.sort(), ['a', 'b', 'c'], variable.query)
      }
    }
  })

  test('every alert expression parses and evaluates, and Prometheus runs every rule', async () => {
    for (const rule of await alertRules()) {
      await run!.prometheus.query(rule.expr)
    }
    const rules = await run!.prometheus.rules()
    assert.equal(rules.length, (await alertRules()).length)
    for (const rule of rules) assert.equal(rule.health, 'ok', `${rule.name}: ${rule.lastError}`)
  })

  test('live /metrics of a gateway and of the simulator pass promtool check metrics', () => {
    const lint = run!.lint
    assert.ok(lint.has(`gateway ${GATEWAY}`) && lint.has('simulator'), [...lint.keys()].join())
    const problems: string[] = []
    for (const [target, { code, output }] of lint) {
      const lines = output.split('\n').filter((line) => line.trim() !== '')
      const ours = lines.filter((line) => !UPSTREAM_NAMES.test(line))
      problems.push(...ours.map((line) => `${target}: ${line}`))
      if (lines.length === 0) assert.equal(code, 0, `${target}: promtool failed without a finding`)
    }
    assert.deepEqual(problems, [])
  })

  test('a submission to an unknown member was refused, feeding the rejected panel', () => {
    assert.ok(run!.rejectedStatus >= 400 && run!.rejectedStatus < 500, `${run!.rejectedStatus}`)
  })
})

/** Evaluates an expression over the whole drill, as a dashboard's time range would. */
function rangeOf(live: LiveRun, expr: string) {
  return live.prometheus.queryRange(expr, live.startedAt / 1000, live.endedAt / 1000, 2)
}

/** Panel queries as Grafana sends them: variables replaced by concrete values. */
function substitute(query: PanelQuery): string {
  return query.expr
    .replaceAll('$__rate_interval', RATE_INTERVAL)
    .replace(/\$(?:gateway\b|\{gateway\})/g, GATEWAY)
}

/**
 * Runs the drill with its file_sd list where Prometheus looks, and while it
 * runs lints live /metrics bodies and submits one message nobody can receive.
 * Resolves after Prometheus has had a few more scrapes of the end state.
 */
async function drillUnderPrometheus(
  dir: string,
  targetsFile: string,
  prometheus: PrometheusServer,
): Promise<LiveRun> {
  const scenario = await parseScenario(SCENARIO, join(dir, 'scenario.yaml'))
  const startedAt = Date.now()
  const drill = runDrill({
    scenario,
    runDir: join(dir, 'run'),
    logger: silentLogger(),
    progressOut: devNull,
    targetsFile,
    drainCapMs: 10_000,
  })
  const probing = probeWhileRunning(targetsFile)
  const outcome = await drill
  const { lint, rejectedStatus } = await probing
  await sleep(2000)
  return { prometheus, startedAt, endedAt: Date.now(), outcome, lint, rejectedStatus }
}

async function probeWhileRunning(targetsFile: string) {
  const groups = await waitForTargets(targetsFile)
  const address = (pick: (g: TargetGroup) => boolean) => groups.find(pick)?.targets[0]
  const gateway = address((g) => g.labels.gateway === GATEWAY)
  const simulator = address((g) => g.labels.gateway === undefined)
  assert.ok(gateway !== undefined && simulator !== undefined, JSON.stringify(groups))
  // Let traffic flow first, so labelled series exist when the body is linted.
  await sleep(4000)
  const rejected = await fetch(`http://${gateway}/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ to: 'no-such-member', service: 'inbox', payload: 'aGk=' }),
  })
  await rejected.body?.cancel()
  const lint = new Map<string, { code: number; output: string }>()
  lint.set(`gateway ${GATEWAY}`, await lintMetrics(`http://${gateway}/metrics`))
  lint.set('simulator', await lintMetrics(`http://${simulator}/metrics`))
  return { lint, rejectedStatus: rejected.status }
}

async function waitForTargets(file: string): Promise<TargetGroup[]> {
  const until = Date.now() + 60_000
  while (Date.now() < until) {
    const text = await readFile(file, 'utf8').catch(() => undefined)
    if (text !== undefined) return JSON.parse(text) as TargetGroup[]
    await sleep(200)
  }
  throw new Error(`the drill wrote no scrape targets to ${file}`)
}

/** Feeds a live /metrics body to `promtool check metrics`, which lints names, units and help. */
async function lintMetrics(url: string): Promise<{ code: number; output: string }> {
  const body = await (await fetch(url)).text()
  const child = spawn('promtool', ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] })
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString()
  })
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString()
  })
  child.stdin.end(body)
  const [code] = (await once(child, 'exit')) as [number | null]
  return { code: code ?? 1, output }
}
