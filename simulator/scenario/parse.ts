import { readFile } from 'node:fs/promises'
import { basename, extname, resolve } from 'node:path'
import { parse as parseYaml, YAMLParseError } from 'yaml'
import { checkGateway, checkTraffic } from './checks.ts'
import { type Problem, problemsFromZod, ScenarioError } from './errors.ts'
import { type ImportedTopology, parseGraphml } from './import-graphml.ts'
import { parseSubmarine } from './import-submarine.ts'
import { resolveScenarioPath } from './paths.ts'
import { type RawImport, type RawScenario, scenarioSchema } from './schema.ts'
import { compileFaults } from './timeline.ts'
import { assembleTopology } from './topology.ts'
import type { Scenario } from './types.ts'

export { ScenarioError } from './errors.ts'

/**
 * Most gateways a drill may start on one machine. Each gateway is a Node
 * process with a libp2p host and a LevelDB store (roughly 80-120 MB resident),
 * and the drill machines have two cores; past this the drill measures the
 * machine rather than the gateways. `lifeline drill --max-gateways` overrides it.
 */
export const MAX_GATEWAYS = 24

export interface LoadOptions {
  /** Refuse topologies with more nodes than this; default `MAX_GATEWAYS`. */
  maxGateways?: number
}

/**
 * Reads, imports, validates and compiles a scenario file. Nothing is started:
 * every problem found is reported at once as a `ScenarioError` whose message
 * has a `file: path: expected ...` line per problem.
 */
export async function loadScenario(file: string, opts: LoadOptions = {}): Promise<Scenario> {
  const absolute = resolve(file)
  const text = await readText(absolute, '(file)', 'expected a readable scenario file', absolute)
  let raw: unknown
  try {
    raw = parseYaml(text)
  } catch (err) {
    const line = err instanceof YAMLParseError ? ` at line ${err.linePos?.[0].line}` : ''
    const problem = { path: '(yaml)', message: `expected valid YAML${line}` }
    throw new ScenarioError(absolute, [problem], { cause: err })
  }
  return parseScenario(raw ?? {}, absolute, opts)
}

/** Validates an already parsed YAML document; `file` locates relative import paths. */
export async function parseScenario(
  input: unknown,
  file: string,
  opts: LoadOptions = {},
): Promise<Scenario> {
  const parsed = scenarioSchema.safeParse(input)
  if (!parsed.success) throw new ScenarioError(file, problemsFromZod(parsed.error.issues))
  const raw = parsed.data
  const problems: Problem[] = []
  const imported =
    raw.topology.import === undefined ? undefined : await importTopology(raw.topology.import, file)
  const topology = assembleTopology(imported, raw.topology, problems)
  const limit = opts.maxGateways ?? MAX_GATEWAYS
  if (topology.nodes.length > limit) {
    const message =
      `expected at most ${limit} gateways on this machine; this topology would start ` +
      `${topology.nodes.length} (raise the limit with --max-gateways)`
    throw new ScenarioError(file, [...problems, { path: 'topology', message }])
  }
  const traffic = checkTraffic(raw, topology, problems)
  const timeline = compileFaults(raw.faults, topologyContext(raw, topology), problems)
  checkGateway(raw.gateway, problems)
  if (problems.length > 0) throw new ScenarioError(file, problems)
  const scenario: Scenario = {
    name: raw.name ?? basename(file, extname(file)),
    file,
    seed: raw.seed,
    durationMs: raw.duration,
    nodes: topology.nodes,
    links: topology.links,
    traffic,
    faults: timeline.records,
    timeline: timeline.actions,
    expect: expectations(raw),
    gateway: raw.gateway,
  }
  if (raw.description !== undefined) scenario.description = raw.description
  return scenario
}

function topologyContext(raw: RawScenario, topology: ReturnType<typeof assembleTopology>) {
  return { topology, durationMs: raw.duration, seed: raw.seed }
}

function expectations(raw: RawScenario): Scenario['expect'] {
  const { lost, duplicated, unexpected, expired, failoverWithin, drainedWithin } = raw.expect
  const out: Scenario['expect'] = { lost, duplicated, unexpected }
  if (expired !== undefined) out.expired = expired
  if (failoverWithin !== undefined) out.failoverWithinMs = failoverWithin
  if (drainedWithin !== undefined) out.drainedWithinMs = drainedWithin
  return out
}

async function importTopology(spec: RawImport, file: string): Promise<ImportedTopology> {
  const path = resolveScenarioPath(spec.file, file)
  const where = 'topology.import.file'
  const text = await readText(path, where, `expected a readable ${spec.format} file`, file)
  if (spec.format === 'graphml') {
    try {
      return parseGraphml(text)
    } catch (err) {
      const message = `expected Topology Zoo GraphML in ${path}: ${(err as Error).message}`
      throw new ScenarioError(file, [{ path: where, message }], { cause: err })
    }
  }
  const selection: { countries?: string[]; landingPoints?: string[] } = {}
  if (spec.countries !== undefined) selection.countries = spec.countries
  if (spec.landingPoints !== undefined) selection.landingPoints = spec.landingPoints
  const result = parseSubmarine(text, selection)
  if (!result.ok) throw new ScenarioError(file, result.problems)
  return result.topology
}

async function readText(path: string, field: string, expected: string, file: string) {
  try {
    return await readFile(path, 'utf8')
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? 'unreadable'
    throw new ScenarioError(file, [{ path: field, message: `${expected} (${path}: ${reason})` }], {
      cause: err,
    })
  }
}
