import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { after, before, describe, test } from 'node:test'
import type { Report } from '../../../simulator/report/report-json.ts'
import { pidsMentioning } from './processes.ts'

const ROOT = resolve(import.meta.dirname, '../../..')
const BIN = join(ROOT, 'node/cli/bin.ts')
const EXAMPLE_RING = resolve(ROOT, '../shared/scenarios/example-ring.yaml')

/** Runs `lifeline drill` as a child process; resolves with its exit code and output. */
async function drill(scenario: string, runDir: string) {
  const child = spawn(
    process.execPath,
    [BIN, 'drill', scenario, '--run-dir', runDir, '--targets-file', 'none'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  )
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString()
  })
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString()
  })
  const [code] = await once(child, 'exit')
  const report = JSON.parse(await readFile(join(runDir, 'report.json'), 'utf8')) as Report
  return { code: code as number, output, report }
}

// Destination powered off from 0.5 s to 8.5 s; every message lives 2 s and is sent by 3 s.
const EXPIRING = `
name: expire-all
seed: 5
duration: 9s
topology:
  nodes: [{ id: alpha }, { id: beta }]
  links: [{ a: alpha, b: beta, latency: 2ms }]
traffic:
  - { from: alpha, to: beta, rate: 10/s, size: 512B, start: 1s, stop: 3s, ttl: 2s }
faults:
  - { at: 500ms, powerLoss: { node: beta, for: 8s } }
expect: { lost: 0, duplicated: 0, expired: 0 }
`

describe('drills with real gateways', () => {
  let dir: string
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lifeline-drills-'))
  })
  after(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  test('the example ring drill passes with nothing lost or duplicated', {
    timeout: 180_000,
  }, async () => {
    const runDir = join(dir, 'ring')
    const { code, output, report } = await drill(EXAMPLE_RING, runDir)
    assert.equal(report.messages.lost, 0, output)
    assert.equal(report.messages.duplicated, 0, output)
    assert.ok(report.messages.accepted > 2500, 'traffic flowed through the whole drill')
    assert.equal(code, 0, output)
    assert.deepEqual(pidsMentioning(runDir), [])
  })

  test('messages stuck behind a dead destination past their TTL count as expired, not lost', {
    timeout: 90_000,
  }, async () => {
    const file = join(dir, 'expire.yaml')
    await writeFile(file, EXPIRING)
    const { code, output, report } = await drill(file, join(dir, 'expire'))
    assert.equal(report.messages.accepted, 20, output)
    assert.equal(report.messages.expired, 20, output)
    assert.equal(report.messages.lost, 0, output)
    assert.equal(report.verdict.passed, false)
    assert.equal(report.verdict.failures.length, 1, report.verdict.failures.join('\n'))
    assert.match(report.verdict.failures[0]!, /expired/)
    assert.equal(code, 1, 'the drill exits 1 because it expected nothing to expire')
  })

  test('SIGINT during a drill leaves no gateway process behind', {
    timeout: 90_000,
  }, async () => {
    const runDir = join(dir, 'interrupted')
    const child = spawn(
      process.execPath,
      [BIN, 'drill', EXAMPLE_RING, '--run-dir', runDir, '--targets-file', 'none'],
      { stdio: ['ignore', 'ignore', 'ignore'] },
    )
    const exited = once(child, 'exit')
    const deadline = Date.now() + 60_000
    let log = ''
    while (!log.includes('drill started') && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250))
      log = await readFile(join(runDir, 'drill.log'), 'utf8').catch(() => '')
    }
    assert.ok(log.includes('drill started'), 'the drill got going')
    assert.equal(pidsMentioning(join(runDir, 'nodes')).length, 5)
    await new Promise((r) => setTimeout(r, 1500))
    child.kill('SIGINT')
    const [code] = await exited
    assert.equal(code, 130)
    assert.deepEqual(pidsMentioning(runDir), [])
  })
})
