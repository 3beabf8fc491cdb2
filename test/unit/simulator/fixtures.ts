import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after } from 'node:test'
import { type LoadOptions, loadScenario } from '../../../simulator/scenario/parse.ts'
import type { Scenario } from '../../../simulator/scenario/types.ts'

/** A temp folder for scenario files, removed when the test file ends. */
export function scenarioDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lifeline-scenario-'))
  after(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

let counter = 0

/** Writes YAML to a fresh file in `dir` and returns its path. */
export function writeScenario(dir: string, yaml: string): string {
  counter++
  const file = join(dir, `scenario-${counter}.yaml`)
  writeFileSync(file, yaml)
  return file
}

/** Writes and loads a scenario. */
export function loadYaml(dir: string, yaml: string, opts?: LoadOptions): Promise<Scenario> {
  return loadScenario(writeScenario(dir, yaml), opts)
}

/** A small valid scenario: a ring a-b-c-d-a whose closing link has its own id, two regions. */
export const SQUARE = `
name: square
seed: 3
duration: 30s
topology:
  nodes:
    - { id: a, region: west }
    - { id: b, region: west }
    - { id: c, region: east }
    - { id: d, region: east }
  links:
    - { a: a, b: b, latency: 2ms, cables: [north] }
    - { a: b, b: c, latency: 3ms, cables: [north, middle] }
    - { a: c, b: d, latency: 2ms, cables: [south] }
    - { id: closing, a: d, b: a, latency: 4ms, bandwidth: 2Mbps, cables: [middle] }
traffic:
  - { from: a, to: c, rate: 10/s, size: 1KiB }
`
