import { z } from 'zod'
import { PRIORITIES } from '../../node/core/envelope.ts'
import { bandwidth, count, duration, name, rate, ratio, size, strict, time } from './fields.ts'

/**
 * The structure of a scenario file, field by field. Units are converted while
 * parsing (milliseconds, bytes, bits per second, fractions); references between
 * fields (a fault naming a link, traffic naming a node) are checked afterwards
 * by the loader, which knows the whole topology. simulator/README.md documents
 * every field for drill leads.
 */

const cutMode = z.enum(['blackhole', 'reset'], { error: 'expected blackhole or reset' })
const direction = z.enum(['both', 'a-to-b', 'b-to-a'], {
  error: 'expected both, a-to-b or b-to-a',
})

const node = strict({
  /** Gateway name in the drill; also its data directory name. */
  id: name,
  /** Region a partition can name instead of listing nodes. */
  region: name.optional(),
  latitude: z.number().min(-90).max(90).optional(),
  longitude: z.number().min(-180).max(180).optional(),
})

const link = strict({
  /** Defaults to `<a>-<b>`; a default-named link also answers to `<b>-<a>`. */
  id: name.optional(),
  /** The side that dials. */
  a: name,
  b: name,
  latency: duration.prefault('0ms'),
  jitter: duration.prefault('0ms'),
  loss: ratio.prefault('0%'),
  /** No cap when absent. */
  bandwidth: bandwidth.optional(),
  /** Cables (or other shared infrastructure) this link rides; a cable cut cuts them all. */
  cables: z.array(name).default([]),
})

const graphmlImport = strict({
  format: z.literal('graphml'),
  /** Internet Topology Zoo GraphML file. */
  file: z.string().min(1),
})

const submarineImport = strict({
  format: z.literal('submarine-cables'),
  /** Submarine-cable dataset (JSON: cables with landing points). */
  file: z.string().min(1),
  /** Select every landing point in these countries (the last part of its name). */
  countries: z.array(z.string().min(1)).optional(),
  /** Select these landing points by dataset id. */
  landingPoints: z.array(z.string().min(1)).optional(),
})

const topologyImport = z.discriminatedUnion('format', [graphmlImport, submarineImport], {
  error: 'expected format graphml or submarine-cables',
})

const topology = strict({
  /** Imported nodes and links come first; inline nodes and links are added to them. */
  import: topologyImport.optional(),
  nodes: z.array(node).default([]),
  links: z.array(link).default([]),
})

const flow = strict({
  from: name,
  to: name,
  rate,
  size,
  priority: z.enum(PRIORITIES, { error: 'expected critical, normal or bulk' }).default('normal'),
  start: time.prefault('0s'),
  /** Defaults to the end of the drill. */
  stop: time.optional(),
  /** Gateway default when absent. */
  ttl: duration.optional(),
  service: name.default('inbox'),
})

const linkOrCable = { link: name.optional(), cable: name.optional() }

const cut = strict({
  ...linkOrCable,
  mode: cutMode.default('blackhole'),
  direction: direction.default('both'),
  /** Restore automatically after this long. */
  for: duration.optional(),
})

const degrade = strict({
  ...linkOrCable,
  latency: duration.optional(),
  jitter: duration.optional(),
  loss: ratio.optional(),
  bandwidth: bandwidth.optional(),
})

const powerLoss = strict({ node: name, for: duration })

const partition = strict({
  /** Each group lists regions or node ids; every link between two groups is cut. */
  groups: z.array(z.array(name).min(1, 'expected at least one region or node')).min(2, {
    error: 'expected at least two groups',
  }),
  for: duration,
  mode: cutMode.default('blackhole'),
})

const flap = strict({
  ...linkOrCable,
  down: duration,
  up: duration,
  until: time,
  mode: cutMode.default('blackhole'),
})

export const CHAOS_KINDS = ['cut', 'powerLoss', 'degrade'] as const

const chaos = strict({
  /** Defaults to the scenario seed. */
  seed: z.number().int().min(0).optional(),
  /** Defaults to the entry's `at`, else 0s. */
  from: time.optional(),
  until: time,
  meanInterval: duration,
  kinds: z
    .array(z.enum(CHAOS_KINDS, { error: 'expected cut, powerLoss or degrade' }))
    .min(1)
    .default([...CHAOS_KINDS]),
  /** Mean length of each random fault; defaults to meanInterval. */
  for: duration.optional(),
})

export const FAULT_KINDS = [
  'cut',
  'restore',
  'degrade',
  'powerLoss',
  'partition',
  'flap',
  'chaos',
] as const

const fault = strict({
  /** Required for every kind but chaos. */
  at: time.optional(),
  cut: cut.optional(),
  restore: strict(linkOrCable).optional(),
  degrade: degrade.optional(),
  powerLoss: powerLoss.optional(),
  partition: partition.optional(),
  flap: flap.optional(),
  chaos: chaos.optional(),
}).superRefine((entry, ctx) => {
  const given = FAULT_KINDS.filter((kind) => entry[kind] !== undefined)
  if (given.length !== 1) {
    ctx.addIssue({
      code: 'custom',
      message: `expected exactly one fault kind of ${FAULT_KINDS.join(', ')}; got ${
        given.length === 0 ? 'none' : given.join(' and ')
      }`,
    })
  }
})

const expect = strict({
  lost: count.default(0),
  duplicated: count.default(0),
  unexpected: count.default(0),
  /** No limit when absent. */
  expired: count.optional(),
  failoverWithin: duration.optional(),
  drainedWithin: duration.optional(),
})

export const scenarioSchema = strict({
  /** Defaults to the file name without extension. */
  name: name.optional(),
  /** Free text for the report and the reader. */
  description: z.string().optional(),
  seed: z.number().int().min(0).default(1),
  duration,
  topology,
  traffic: z.array(flow).default([]),
  faults: z.array(fault).default([]),
  expect: expect.prefault({}),
  /** Gateway config overrides, checked against the gateway's config schema. */
  gateway: z.record(z.string(), z.unknown()).default({}),
})

export type RawScenario = z.output<typeof scenarioSchema>
export type RawTopology = RawScenario['topology']
export type RawImport = NonNullable<RawTopology['import']>
export type RawFault = RawScenario['faults'][number]
export type RawLink = RawTopology['links'][number]
export type RawNode = RawTopology['nodes'][number]
