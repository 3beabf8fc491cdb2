import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { loadScenario, ScenarioError } from '../../../simulator/scenario/parse.ts'
import { loadYaml, SQUARE, scenarioDir, writeScenario } from './fixtures.ts'

const dir = scenarioDir()

/**
 * Loads a scenario that must be refused and checks that its message has a
 * `file: path: expected...` line matching `expected`.
 */
async function refused(yaml: string, path: string, expected: RegExp): Promise<ScenarioError> {
  const file = writeScenario(dir, yaml)
  let caught: unknown
  try {
    await loadScenario(file)
  } catch (err) {
    caught = err
  }
  assert.ok(caught instanceof ScenarioError, `expected a ScenarioError, got ${String(caught)}`)
  assert.equal(caught.code, 'INVALID_SCENARIO')
  assert.equal(caught.file, file)
  const line = caught.message.split('\n').find((l) => l.startsWith(`${file}: ${path}: `))
  assert.ok(line !== undefined, `no line for ${path} in:\n${caught.message}`)
  assert.match(line, /expected/)
  assert.match(line, expected)
  return caught
}

const withFaults = (faults: string) => `${SQUARE}faults:\n${faults}\n`

describe('invalid scenarios', () => {
  test('an unknown node in a link is refused naming the link end and the known nodes', async () => {
    const yaml = SQUARE.replace('{ a: c, b: d,', '{ a: c, b: z,')
    await refused(yaml, 'topology.links[2].b', /one of a, b, c, d.*got "z"/)
  })

  test('an unknown field is refused naming it and the fields that are allowed', async () => {
    await refused(`${SQUARE}colour: red\n`, 'colour', /unknown field.*duration.*topology/)
    const nested = SQUARE.replace('latency: 2ms, cables: [north]', 'latancy: 2ms')
    await refused(nested, 'topology.links[0].latancy', /unknown field.*latency/)
  })

  test('a fault before time zero is refused', async () => {
    await refused(
      withFaults('  - { at: -5s, cut: { link: a-b } }'),
      'faults[0].at',
      /at or after 0s/,
    )
  })

  test('a fault after the end of the drill is refused', async () => {
    await refused(withFaults('  - { at: 90s, cut: { link: a-b } }'), 'faults[0].at', /0s to 30s/)
  })

  test('traffic to a node that does not exist is refused', async () => {
    const yaml = SQUARE.replace('{ from: a, to: c,', '{ from: a, to: mars,')
    await refused(yaml, 'traffic[0].to', /node id.*got "mars"/)
  })

  test('a fault naming an unknown link is refused at the link field', async () => {
    const yaml = withFaults(
      '  - { at: 1s, restore: { link: a-b } }\n  - { at: 2s, cut: { link: a-z } }',
    )
    await refused(yaml, 'faults[1].cut.link', /link id.*got "a-z"/)
  })

  test('a fault naming an unknown cable is refused listing the known cables', async () => {
    const yaml = withFaults('  - { at: 2s, degrade: { cable: atlantic, loss: 1% } }')
    await refused(yaml, 'faults[0].degrade.cable', /north, middle, south.*got "atlantic"/)
  })

  test('a power loss of an unknown node or partition of an unknown region is refused', async () => {
    await refused(
      withFaults('  - { at: 2s, powerLoss: { node: zz, for: 1s } }'),
      'faults[0].powerLoss.node',
      /got "zz"/,
    )
    await refused(
      withFaults('  - { at: 2s, partition: { groups: [[west], [north]], for: 1s } }'),
      'faults[0].partition.groups[1][0]',
      /region or node id.*got "north"/,
    )
  })

  test('bad units are refused with an example of the right ones', async () => {
    await refused(SQUARE.replace('rate: 10/s', 'rate: 10 per second'), 'traffic[0].rate', /50\/s/)
    await refused(SQUARE.replace('size: 1KiB', 'size: 1 kilobyte'), 'traffic[0].size', /1KiB/)
    await refused(SQUARE.replace('duration: 30s', 'duration: 30 sec'), 'duration', /10s/)
    await refused(
      SQUARE.replace('bandwidth: 2Mbps', 'bandwidth: fast'),
      'topology.links[3].bandwidth',
      /2Mbps/,
    )
    const loss = withFaults('  - { at: 2s, degrade: { link: a-b, loss: 150% } }')
    await refused(loss, 'faults[0].degrade.loss', /1%/)
  })

  test('a fault entry with two kinds, or with neither link nor cable, is refused', async () => {
    await refused(
      withFaults('  - { at: 2s, cut: { link: a-b }, restore: { link: a-b } }'),
      'faults[0]',
      /exactly one fault kind.*cut and restore/,
    )
    await refused(
      withFaults('  - { at: 2s, cut: { mode: reset } }'),
      'faults[0].cut',
      /one of link or cable/,
    )
  })

  test('every problem in a file is reported at once, one line each', async () => {
    const yaml = withFaults(
      '  - { at: 2s, cut: { link: q-r } }\n  - { at: 3s, powerLoss: { node: q, for: 1s } }',
    ).replace('{ from: a, to: c,', '{ from: a, to: q,')
    const err = await refused(yaml, 'traffic[0].to', /got "q"/)
    assert.deepEqual(
      err.problems.map((p) => p.path),
      ['traffic[0].to', 'faults[0].cut.link', 'faults[1].powerLoss.node'],
    )
  })

  test('a gateway override the gateway would reject is refused with its path', async () => {
    await refused(
      `${SQUARE}gateway: { link: { downAfter: soon } }\n`,
      'gateway.link.downAfter',
      /250ms/,
    )
    await refused(`${SQUARE}gateway: { name: x }\n`, 'gateway.name', /unknown field.*link/)
  })

  test('a file that is not YAML or does not exist is refused', async () => {
    await refused('duration: [1, 2\n', '(yaml)', /valid YAML at line/)
    await assert.rejects(loadScenario(`${dir}/missing.yaml`), /\(file\): expected a readable/)
  })

  test('an import of a missing file is refused at the import path', async () => {
    const yaml = 'duration: 10s\ntopology:\n  import: { format: graphml, file: nowhere.graphml }\n'
    await refused(yaml, 'topology.import.file', /readable graphml file.*ENOENT/)
    const bad = 'duration: 10s\ntopology:\n  import: { format: dot, file: x.dot }\n'
    await refused(bad, 'topology.import.format', /graphml or submarine-cables/)
  })

  test('a valid scenario written the same way loads', async () => {
    const s = await loadYaml(dir, withFaults('  - { at: 2s, cut: { link: a-b } }'))
    assert.equal(s.timeline.length, 1)
  })
})
