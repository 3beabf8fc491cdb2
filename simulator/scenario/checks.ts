import { configSchema } from '../../node/config/schema.ts'
import { type Problem, problemsFromZod } from './errors.ts'
import type { RawScenario } from './schema.ts'
import type { Topology } from './topology.ts'
import type { TrafficFlow } from './types.ts'

/**
 * Gateway config sections a scenario may override. The runner owns the rest
 * (names, ports, data directories, neighbours, roster, keys, services).
 */
export const GATEWAY_OVERRIDABLE = [
  'discovery',
  'store',
  'messages',
  'retry',
  'link',
  'routing',
  'rosterGrace',
  'log',
] as const

/** Traffic flows with names checked against the topology and times against the drill. */
export function checkTraffic(
  raw: RawScenario,
  topology: Topology,
  problems: Problem[],
): TrafficFlow[] {
  return raw.traffic.map((flow, i) => {
    const path = `traffic[${i}]`
    for (const end of ['from', 'to'] as const) {
      if (topology.hasNode(flow[end])) continue
      const message = `expected a node id (${topology.describe('nodes')}), got "${flow[end]}"`
      problems.push({ path: `${path}.${end}`, message })
    }
    if (flow.from === flow.to) {
      problems.push({ path: `${path}.to`, message: 'expected a node other than from' })
    }
    if (flow.rate <= 0) {
      problems.push({ path: `${path}.rate`, message: 'expected a rate above 0/s, such as 10/s' })
    }
    const stopMs = flow.stop ?? raw.duration
    if (stopMs > raw.duration) {
      const message = `expected a time within the drill (0s to ${raw.duration / 1000}s)`
      problems.push({ path: `${path}.stop`, message })
    }
    if (flow.start >= stopMs) {
      problems.push({ path: `${path}.start`, message: 'expected a time before stop' })
    }
    const out: TrafficFlow = {
      from: flow.from,
      to: flow.to,
      ratePerSecond: flow.rate,
      sizeBytes: flow.size,
      priority: flow.priority,
      startMs: flow.start,
      stopMs,
      service: flow.service,
    }
    if (flow.ttl !== undefined) out.ttlMs = flow.ttl
    return out
  })
}

/**
 * Checks each gateway override against the gateway's own config schema, but
 * returns the values as written: the runner puts them into each gateway's
 * config file, where the gateway converts the units itself.
 */
export function checkGateway(gateway: Record<string, unknown>, problems: Problem[]): void {
  const allowed: readonly string[] = GATEWAY_OVERRIDABLE
  for (const [key, value] of Object.entries(gateway)) {
    if (!allowed.includes(key)) {
      const message = `unknown field; expected one of: ${GATEWAY_OVERRIDABLE.join(', ')}`
      problems.push({ path: `gateway.${key}`, message })
      continue
    }
    const field = configSchema.shape[key as (typeof GATEWAY_OVERRIDABLE)[number]]
    const result = field.safeParse(value)
    if (!result.success) problems.push(...problemsFromZod(result.error.issues, ['gateway', key]))
  }
}
