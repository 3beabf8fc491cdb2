import assert from 'node:assert/strict'
import { readdirSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { describe, test } from 'node:test'
import { isLifelineError } from '../../../node/core/errors.ts'
import { loadScenario, MAX_GATEWAYS } from '../../../simulator/scenario/parse.ts'
import { REPO_ROOT, resolveScenarioPath, sharedDir } from '../../../simulator/scenario/paths.ts'
import { loadYaml, SQUARE, scenarioDir } from './fixtures.ts'

const EXAMPLE = resolve(sharedDir(), 'scenarios/example-ring.yaml')
const SHIPPED = join(REPO_ROOT, 'simulator/scenarios')
const dir = scenarioDir()

describe('scenario loading', () => {
  test('the shared example ring parses with units converted and links named', async () => {
    const s = await loadScenario(EXAMPLE)
    assert.equal(s.name, 'example-ring')
    assert.equal(s.seed, 7)
    assert.equal(s.durationMs, 60_000)
    assert.deepEqual(
      s.nodes.map((n) => n.id),
      ['taipei', 'taichung', 'kaohsiung', 'hualien', 'penghu'],
    )
    const microwave = s.links.find((l) => l.id === 'taichung-penghu')
    assert.equal(microwave?.bandwidthBps, 2_000_000)
    assert.equal(microwave?.latencyMs, 6)
    assert.deepEqual(s.traffic[1], {
      from: 'penghu',
      to: 'taipei',
      ratePerSecond: 10,
      sizeBytes: 4096,
      priority: 'critical',
      startMs: 0,
      stopMs: 45_000,
      service: 'inbox',
    })
    assert.deepEqual(
      s.timeline.map((a) => [a.at, a.kind]),
      [
        [10_000, 'cut'],
        [18_000, 'powerLoss'],
        [25_000, 'degrade'],
        [30_000, 'cut'],
        [35_000, 'restore'],
        [38_000, 'restore'],
      ],
    )
    const degrade = s.timeline[2]
    assert.ok(degrade?.kind === 'degrade')
    assert.deepEqual(degrade.conditions, { latencyMs: 200, lossRatio: 0.02 })
    assert.deepEqual(s.expect, {
      lost: 0,
      duplicated: 0,
      unexpected: 0,
      failoverWithinMs: 2000,
      drainedWithinMs: 15_000,
    })
  })

  test('a cable cut in the example takes down exactly the links that list the cable', async () => {
    const s = await loadScenario(EXAMPLE)
    const cut = s.timeline[0]
    assert.ok(cut?.kind === 'cut')
    assert.deepEqual(cut.links, ['kaohsiung-penghu'])
    assert.equal(cut.mode, 'blackhole')
    assert.equal(cut.direction, 'both')
    assert.deepEqual(s.faults[0], { atSeconds: 10, kind: 'cut', target: 'cable:penghu-1' })
  })

  for (const file of readdirSync(SHIPPED).filter((f) => f.endsWith('.yaml'))) {
    test(`the shipped scenario ${file} parses within the gateway limit`, async () => {
      const s = await loadScenario(join(SHIPPED, file))
      assert.equal(s.name, file.replace(/\.yaml$/, ''))
      assert.ok(s.nodes.length >= 2 && s.nodes.length <= 13, `${s.nodes.length} gateways`)
      assert.ok(s.traffic.length > 0)
      assert.ok(s.timeline.length > 0)
      assert.equal(s.expect.lost, 0)
      assert.equal(s.expect.duplicated, 0)
      const totalRate = s.traffic.reduce((sum, f) => sum + f.ratePerSecond, 0)
      assert.ok(totalRate <= 30, `traffic of ${totalRate}/s is too much for a shared machine`)
    })
  }

  test('a default link answers to both orders of its ends, a named one to its id', async () => {
    const s = await loadYaml(
      dir,
      `${SQUARE}
faults:
  - { at: 1s, cut: { link: b-a } }
  - { at: 2s, restore: { link: closing } }
`,
    )
    assert.deepEqual(
      s.timeline.map((a) => ('links' in a ? a.links : [])),
      [['a-b'], ['closing']],
    )
    await assert.rejects(
      loadYaml(dir, `${SQUARE}\nfaults: [{ at: 1s, cut: { link: a-d } }]\n`),
      (err) => isLifelineError(err, 'INVALID_SCENARIO'),
    )
  })

  test('gateway overrides, ttl and service pass through as written', async () => {
    const s = await loadYaml(
      dir,
      SQUARE.replace('size: 1KiB }', 'size: 1KiB, ttl: 20s, service: records }') +
        'gateway:\n  link: { downAfter: 500ms }\n  retry: { initial: 100ms }\n',
    )
    assert.deepEqual(s.gateway, { link: { downAfter: '500ms' }, retry: { initial: '100ms' } })
    assert.equal(s.traffic[0]?.ttlMs, 20_000)
    assert.equal(s.traffic[0]?.service, 'records')
    assert.equal(s.traffic[0]?.stopMs, 30_000)
  })

  test('a topology over the gateway limit is refused with its size and the limit', async () => {
    const nodes = Array.from({ length: 6 }, (_, i) => `    - { id: n${i} }`).join('\n')
    const yaml = `duration: 10s\ntopology:\n  nodes:\n${nodes}\n`
    await assert.rejects(loadYaml(dir, yaml, { maxGateways: 5 }), (err: Error) => {
      assert.match(err.message, /topology: expected at most 5 gateways/)
      assert.match(err.message, /would start 6/)
      return true
    })
    const s = await loadYaml(dir, yaml, { maxGateways: 6 })
    assert.equal(s.nodes.length, 6)
    assert.ok(MAX_GATEWAYS >= 12)
  })

  test('import paths resolve against the shared folder, the repo or the scenario', () => {
    const scenario = '/somewhere/drills/x.yaml'
    assert.equal(
      resolveScenarioPath(`\${shared}/data/Abilene.graphml`, scenario),
      join(sharedDir(), 'data/Abilene.graphml'),
    )
    assert.equal(
      resolveScenarioPath(`\${repo}/simulator/scenarios/a.yaml`, scenario),
      join(REPO_ROOT, 'simulator/scenarios/a.yaml'),
    )
    assert.equal(resolveScenarioPath('../data/t.graphml', scenario), '/somewhere/data/t.graphml')
    assert.equal(resolveScenarioPath('/abs/t.graphml', scenario), '/abs/t.graphml')
  })
})
