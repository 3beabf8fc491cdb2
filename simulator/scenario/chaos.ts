import { createRandom, type Random } from './prng.ts'
import type { CHAOS_KINDS } from './schema.ts'
import type { CutMode, DrillLink, DrillNode, FaultAction, FaultRecord } from './types.ts'

/** Random faults between `fromMs` and `untilMs`, all undone by `untilMs`. */
export interface ChaosSpec {
  seed: number
  fromMs: number
  untilMs: number
  meanIntervalMs: number
  /** Mean length of one fault. */
  meanForMs: number
  kinds: ReadonlyArray<(typeof CHAOS_KINDS)[number]>
  /** Prefix of every action label, e.g. `faults[4] chaos`. */
  label: string
}

/** A chaos fault never lasts less than this, so it is long enough to notice and detect. */
const MIN_FAULT_MS = 500
const CUT_MODES: readonly CutMode[] = ['blackhole', 'reset']
/** Bandwidth caps chaos picks from, as a backup link would have; undefined leaves it as it is. */
const BANDWIDTH_CAPS = [undefined, 256_000, 1_000_000, 2_000_000]

/**
 * Expands a chaos entry into faults. Faults arrive as a Poisson process (mean
 * gap `meanIntervalMs`); each picks a kind from `kinds`, then a target that no
 * earlier chaos fault still holds (the event is skipped when none is free), and
 * lasts a uniform 0.5x to 1.5x `meanForMs`, cut short at `untilMs`. Cuts pick
 * blackhole or reset; degrades pick 20-300 ms latency, up to 20 ms jitter,
 * 0-5% loss and sometimes a bandwidth cap. Every draw comes from the seeded
 * generator in a fixed order, so a seed always gives the same timeline.
 *
 * Chaos keeps track of its own faults only: a chaos restore also ends a
 * scripted cut of the same link that happens to overlap it.
 */
export function expandChaos(
  spec: ChaosSpec,
  nodes: readonly DrillNode[],
  links: readonly DrillLink[],
): { actions: FaultAction[]; records: FaultRecord[] } {
  const random = createRandom(spec.seed)
  const busyUntil = new Map<string, number>()
  const actions: FaultAction[] = []
  const records: FaultRecord[] = []
  let at = spec.fromMs + Math.round(random.exponential(spec.meanIntervalMs))
  while (at < spec.untilMs) {
    const kind = random.pick(spec.kinds)
    const lengthMs = Math.round(spec.meanForMs * (0.5 + random.next()))
    const end = Math.min(at + Math.max(MIN_FAULT_MS, lengthMs), spec.untilMs)
    const pool = kind === 'powerLoss' ? nodes.map((n) => `node:${n.id}`) : linkTargets(links)
    const free = pool.filter((target) => (busyUntil.get(target) ?? -1) <= at)
    if (free.length > 0 && end > at) {
      const target = random.pick(free)
      busyUntil.set(target, end)
      const forMs = end - at
      const label = `${spec.label} ${kind} ${target}`
      actions.push(...faultActions(kind, target, at, forMs, label, random))
      records.push({ atSeconds: at / 1000, kind, target, forSeconds: forMs / 1000 })
    }
    at += Math.max(1, Math.round(random.exponential(spec.meanIntervalMs)))
  }
  return { actions, records }
}

function linkTargets(links: readonly DrillLink[]): string[] {
  return links.map((link) => `link:${link.id}`)
}

function faultActions(
  kind: ChaosSpec['kinds'][number],
  target: string,
  at: number,
  forMs: number,
  label: string,
  random: Random,
): FaultAction[] {
  const id = target.slice(target.indexOf(':') + 1)
  if (kind === 'powerLoss') return [{ at, kind, node: id, forMs, label }]
  const restore: FaultAction = { at: at + forMs, kind: 'restore', links: [id], label }
  if (kind === 'cut') {
    const mode = random.pick(CUT_MODES)
    return [{ at, kind, links: [id], mode, direction: 'both', label }, restore]
  }
  const conditions = {
    latencyMs: 20 + random.int(281),
    jitterMs: random.int(21),
    lossRatio: random.int(6) / 100,
    bandwidthBps: random.pick(BANDWIDTH_CAPS),
  }
  if (conditions.bandwidthBps === undefined) delete conditions.bandwidthBps
  return [{ at, kind, links: [id], conditions, label }, restore]
}
