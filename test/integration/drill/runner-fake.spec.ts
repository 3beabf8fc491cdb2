import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { PassThrough } from 'node:stream'
import { after, before, describe, test } from 'node:test'
import { pino } from 'pino'
import { parse } from 'yaml'
import { runDrill } from '../../../simulator/runner/drill.ts'
import { loadScenario } from '../../../simulator/scenario/parse.ts'
import { pidsMentioning } from './processes.ts'

const FAKE = resolve(import.meta.dirname, 'fake-gateway.ts')
const CLI = resolve(import.meta.dirname, 'drill-cli.ts')

const scenarioYaml = (duration: string) => `
name: fake-mesh
seed: 3
duration: ${duration}
topology:
  nodes: [{ id: alpha }, { id: beta }, { id: gamma }]
  links:
    - { a: alpha, b: beta, latency: 2ms }
    - { a: beta, b: gamma, latency: 2ms }
traffic:
  - { from: alpha, to: gamma, rate: 20/s, size: 300B, start: 0s, stop: 2s }
  - { from: gamma, to: beta, rate: 10/s, size: 2KiB, start: 0s, stop: 2s, ttl: 1m }
faults:
  - { at: 500ms, cut: { link: alpha-beta, mode: blackhole } }
  - { at: 1s, powerLoss: { node: beta, for: 500ms } }
  - { at: 1500ms, restore: { link: alpha-beta } }
expect: { lost: 0, duplicated: 0, unexpected: 0 }
`

describe('drill runner with fake gateways', () => {
  let dir: string
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lifeline-drill-fake-'))
  })
  after(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  test('runs the timeline, records every delivery and leaves no process behind', async () => {
    const file = join(dir, 'fake.yaml')
    await writeFile(file, scenarioYaml('3s'))
    const scenario = await loadScenario(file)
    const runDir = join(dir, 'run-1')
    const targetsFile = join(dir, 'sd', 'fake.json')
    const outcome = await runDrill({
      scenario,
      runDir,
      logger: pino({ level: 'silent' }),
      script: FAKE,
      targetsFile,
      progressOut: new PassThrough().resume(),
      drainCapMs: 5000,
    })
    const m = outcome.result.messages
    assert.equal(m.sent, 60, 'two flows for 2 s at 20/s and 10/s')
    assert.equal(m.accepted, 60)
    assert.equal(m.delivered, 60)
    assert.deepEqual([m.lost, m.duplicated, m.unexpected], [0, 0, 0])
    assert.equal(outcome.result.verdict.passed, true, outcome.result.verdict.failures.join('\n'))
    assert.deepEqual(
      outcome.history.faultsApplied.map((f) => f.kind),
      ['cut', 'powerLoss', 'restore'],
    )
    const [cycle] = outcome.history.powerLosses
    assert.equal(cycle?.node, 'beta')
    assert.ok(cycle.restartedAt - cycle.killedAt >= 490, 'restarted after forMs')
    assert.ok(cycle.drainedAt !== undefined && cycle.drainedAt >= cycle.restartedAt)
    assert.ok(outcome.history.samples.length >= 3, 'backlog sampled once a second per gateway')
    assert.deepEqual(pidsMentioning(runDir), [])
    assert.equal(existsSync(targetsFile), false, 'shared target list removed at the end')
    const groups = JSON.parse(await readFile(join(runDir, 'prometheus-targets.json'), 'utf8'))
    assert.deepEqual(
      groups.map((g: { labels: { gateway?: string } }) => g.labels.gateway),
      ['alpha', 'beta', 'gamma', undefined],
    )
  })

  test('gateway configs route each link through its proxy from side a', async () => {
    const runDir = join(dir, 'run-1')
    const alpha = parse(await readFile(join(runDir, 'nodes/alpha/gateway.yaml'), 'utf8'))
    const beta = parse(await readFile(join(runDir, 'nodes/beta/gateway.yaml'), 'utf8'))
    assert.equal(alpha.discovery, 'static')
    assert.equal(alpha.neighbours.length, 1)
    assert.equal(alpha.neighbours[0].name, 'beta')
    const proxied = Number(/tcp\/(\d+)$/.exec(alpha.neighbours[0].addresses[0])?.[1])
    const betaListens = Number(/tcp\/(\d+)$/.exec(beta.listen[0])?.[1])
    assert.ok(proxied > 0 && proxied !== betaListens, 'alpha dials a proxy, not beta itself')
    const fromBeta = Object.fromEntries(
      beta.neighbours.map((n: { name: string; addresses: string[] }) => [n.name, n.addresses]),
    )
    assert.deepEqual(fromBeta.alpha, [])
    assert.equal(fromBeta.gamma.length, 1)
  })

  test('SIGINT mid-drill stops every gateway and exits 130', async () => {
    const file = join(dir, 'long.yaml')
    await writeFile(file, scenarioYaml('60s'))
    const runDir = join(dir, 'run-sigint')
    const targetsFile = join(dir, 'sd', 'sigint.json')
    const child = spawn(
      process.execPath,
      [
        CLI,
        'drill',
        file,
        '--run-dir',
        runDir,
        '--gateway-script',
        FAKE,
        '--targets-file',
        targetsFile,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env } },
    )
    child.stderr.resume()
    const deadline = Date.now() + 20_000
    while (pidsMentioning(join(runDir, 'nodes')).length < 3 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100))
    }
    const gateways = pidsMentioning(join(runDir, 'nodes'))
    assert.equal(gateways.length, 3, 'three gateways running before the interrupt')
    child.kill('SIGINT')
    const [code] = await once(child, 'exit')
    assert.equal(code, 130)
    assert.deepEqual(pidsMentioning(runDir), [])
    assert.equal(existsSync(targetsFile), false)
  })
})
