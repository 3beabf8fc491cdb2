import { expandChaos } from './chaos.ts'
import type { Problem } from './errors.ts'
import type { RawFault } from './schema.ts'
import type { Topology } from './topology.ts'
import type { CutMode, FaultAction, FaultRecord, LinkConditions } from './types.ts'

/**
 * Compiles the faults as written (cut, restore, degrade, powerLoss, partition,
 * flap, chaos) into the primitive actions the runner applies, sorted by time,
 * and the fault records the report lists. Names are resolved here, so a fault
 * naming an unknown link, cable, node or region becomes a problem with the path
 * of the bad field.
 */

export interface TimelineContext {
  topology: Topology
  durationMs: number
  /** The scenario seed, the default for chaos entries without their own. */
  seed: number
}

export interface Timeline {
  actions: FaultAction[]
  records: FaultRecord[]
}

interface Target {
  links: string[]
  /** `link:<id>` or `cable:<id>`. */
  name: string
}

export function compileFaults(
  faults: RawFault[],
  context: TimelineContext,
  problems: Problem[],
): Timeline {
  const out: Timeline = { actions: [], records: [] }
  faults.forEach((fault, index) => {
    const compiler = new FaultCompiler(fault, index, context, problems)
    const part = compiler.compile()
    if (part === undefined) return
    out.actions.push(...part.actions)
    out.records.push(...part.records)
  })
  // A stable sort keeps same-time actions in the order the file gives them.
  out.actions.sort((x, y) => x.at - y.at)
  out.records.sort((x, y) => x.atSeconds - y.atSeconds)
  return out
}

class FaultCompiler {
  readonly #fault: RawFault
  readonly #path: string
  readonly #context: TimelineContext
  readonly #problems: Problem[]

  constructor(fault: RawFault, index: number, context: TimelineContext, problems: Problem[]) {
    this.#fault = fault
    this.#path = `faults[${index}]`
    this.#context = context
    this.#problems = problems
  }

  compile(): Timeline | undefined {
    const f = this.#fault
    if (f.chaos !== undefined) return this.#chaos(f.chaos)
    const at = this.#at()
    if (at === undefined) return undefined
    if (f.cut !== undefined) return this.#cut(at, f.cut)
    if (f.restore !== undefined) return this.#restore(at, f.restore)
    if (f.degrade !== undefined) return this.#degrade(at, f.degrade)
    if (f.powerLoss !== undefined) return this.#powerLoss(at, f.powerLoss)
    if (f.partition !== undefined) return this.#partition(at, f.partition)
    if (f.flap !== undefined) return this.#flap(at, f.flap)
    return undefined
  }

  #problem(field: string, message: string): undefined {
    this.#problems.push({ path: field === '' ? this.#path : `${this.#path}.${field}`, message })
    return undefined
  }

  #label(kind: string, target: string): string {
    return `${this.#path} ${kind} ${target}`
  }

  #at(): number | undefined {
    const at = this.#fault.at
    if (at === undefined) return this.#problem('at', 'missing; expected a time such as 10s')
    return this.#withinDrill('at', at)
  }

  #withinDrill(field: string, ms: number): number | undefined {
    const end = this.#context.durationMs
    if (ms <= end) return ms
    return this.#problem(field, `expected a time within the drill (0s to ${end / 1000}s)`)
  }

  #target(kind: string, spec: { link?: string; cable?: string }): Target | undefined {
    const { topology } = this.#context
    if ((spec.link === undefined) === (spec.cable === undefined)) {
      return this.#problem(kind, 'expected exactly one of link or cable')
    }
    if (spec.link !== undefined) {
      const link = topology.findLink(spec.link)
      if (link !== undefined) return { links: [link.id], name: `link:${link.id}` }
      const expected = `expected a link id (${topology.describe('links')}), got "${spec.link}"`
      return this.#problem(`${kind}.link`, expected)
    }
    const cable = spec.cable!
    const links = topology.linksOnCable(cable).map((link) => link.id)
    if (links.length > 0) return { links, name: `cable:${cable}` }
    const known = topology.describe('cables')
    const expected = `expected a cable some link lists (${known}), got "${cable}"`
    return this.#problem(`${kind}.cable`, expected)
  }

  #cut(at: number, spec: NonNullable<RawFault['cut']>): Timeline | undefined {
    const target = this.#target('cut', spec)
    if (target === undefined) return undefined
    const label = this.#label('cut', target.name)
    const { mode, direction } = spec
    const actions: FaultAction[] = [
      { at, kind: 'cut', links: target.links, mode, direction, label },
    ]
    const record: FaultRecord = { atSeconds: at / 1000, kind: 'cut', target: target.name }
    if (spec.for !== undefined) {
      actions.push({ at: at + spec.for, kind: 'restore', links: target.links, label })
      record.forSeconds = spec.for / 1000
    }
    return { actions, records: [record] }
  }

  #restore(at: number, spec: NonNullable<RawFault['restore']>): Timeline | undefined {
    const target = this.#target('restore', spec)
    if (target === undefined) return undefined
    const label = this.#label('restore', target.name)
    return {
      actions: [{ at, kind: 'restore', links: target.links, label }],
      records: [{ atSeconds: at / 1000, kind: 'restore', target: target.name }],
    }
  }

  #degrade(at: number, spec: NonNullable<RawFault['degrade']>): Timeline | undefined {
    const target = this.#target('degrade', spec)
    if (target === undefined) return undefined
    const conditions: LinkConditions = {}
    if (spec.latency !== undefined) conditions.latencyMs = spec.latency
    if (spec.jitter !== undefined) conditions.jitterMs = spec.jitter
    if (spec.loss !== undefined) conditions.lossRatio = spec.loss
    if (spec.bandwidth !== undefined) conditions.bandwidthBps = spec.bandwidth
    if (Object.keys(conditions).length === 0) {
      return this.#problem('degrade', 'expected at least one of latency, jitter, loss, bandwidth')
    }
    const label = this.#label('degrade', target.name)
    return {
      actions: [{ at, kind: 'degrade', links: target.links, conditions, label }],
      records: [{ atSeconds: at / 1000, kind: 'degrade', target: target.name }],
    }
  }

  #powerLoss(at: number, spec: NonNullable<RawFault['powerLoss']>): Timeline | undefined {
    const { topology } = this.#context
    if (!topology.hasNode(spec.node)) {
      const expected = `expected a node id (${topology.describe('nodes')}), got "${spec.node}"`
      return this.#problem('powerLoss.node', expected)
    }
    if (spec.for <= 0) return this.#problem('powerLoss.for', 'expected a duration above 0s')
    const target = `node:${spec.node}`
    const label = this.#label('powerLoss', target)
    return {
      actions: [{ at, kind: 'powerLoss', node: spec.node, forMs: spec.for, label }],
      records: [{ atSeconds: at / 1000, kind: 'powerLoss', target, forSeconds: spec.for / 1000 }],
    }
  }

  #partition(at: number, spec: NonNullable<RawFault['partition']>): Timeline | undefined {
    const groups = this.#groups(spec.groups)
    if (groups === undefined) return undefined
    const groupOf = new Map<string, number>()
    groups.forEach((members, g) => {
      for (const node of members) groupOf.set(node, g)
    })
    const links = this.#context.topology.links
      .filter((link) => {
        const ga = groupOf.get(link.a)
        const gb = groupOf.get(link.b)
        return ga !== undefined && gb !== undefined && ga !== gb
      })
      .map((link) => link.id)
    if (links.length === 0) {
      return this.#problem('partition.groups', 'expected groups joined by at least one link')
    }
    const target = spec.groups.map((group) => group.join(',')).join(' | ')
    return this.#timedCut(at, 'partition', target, links, spec.mode, spec.for)
  }

  /** Node ids per group; a problem when a name is unknown or a node is in two groups. */
  #groups(groups: string[][]): string[][] | undefined {
    const { topology } = this.#context
    const seen = new Set<string>()
    let ok = true
    const expanded = groups.map((group, g) =>
      group.flatMap((name, i) => {
        const members = topology.expand(name) ?? []
        const field = `partition.groups[${g}][${i}]`
        if (members.length === 0) {
          ok = false
          const known = `${topology.describe('regions')}; nodes: ${topology.describe('nodes')}`
          this.#problem(field, `expected a region or node id (regions: ${known}), got "${name}"`)
        }
        for (const node of members) {
          if (seen.has(node)) {
            ok = false
            this.#problem(field, `expected each node in one group only; "${node}" repeats`)
          }
          seen.add(node)
        }
        return members
      }),
    )
    return ok ? expanded : undefined
  }

  #timedCut(at: number, kind: string, target: string, links: string[], mode: CutMode, ms: number) {
    const label = this.#label(kind, target)
    const actions: FaultAction[] = [
      { at, kind: 'cut', links, mode, direction: 'both', label },
      { at: at + ms, kind: 'restore', links, label },
    ]
    return { actions, records: [{ atSeconds: at / 1000, kind, target, forSeconds: ms / 1000 }] }
  }

  #flap(at: number, spec: NonNullable<RawFault['flap']>): Timeline | undefined {
    const target = this.#target('flap', spec)
    if (spec.down <= 0) return this.#problem('flap.down', 'expected a duration above 0s')
    if (spec.up <= 0) return this.#problem('flap.up', 'expected a duration above 0s')
    if (spec.until <= at) return this.#problem('flap.until', 'expected a time after at')
    if (target === undefined || this.#withinDrill('flap.until', spec.until) === undefined) return
    const label = this.#label('flap', target.name)
    const actions: FaultAction[] = []
    for (let t = at; t < spec.until; t += spec.down + spec.up) {
      actions.push({
        at: t,
        kind: 'cut',
        links: target.links,
        mode: spec.mode,
        direction: 'both',
        label,
      })
      actions.push({ at: t + spec.down, kind: 'restore', links: target.links, label })
    }
    const forSeconds = (spec.until - at) / 1000
    return {
      actions,
      records: [{ atSeconds: at / 1000, kind: 'flap', target: target.name, forSeconds }],
    }
  }

  #chaos(spec: NonNullable<RawFault['chaos']>): Timeline | undefined {
    const fromMs = spec.from ?? this.#fault.at ?? 0
    if (this.#withinDrill('chaos.until', spec.until) === undefined) return undefined
    if (spec.until <= fromMs) return this.#problem('chaos.until', 'expected a time after from')
    if (spec.meanInterval <= 0) {
      return this.#problem('chaos.meanInterval', 'expected a duration above 0s')
    }
    const { topology, seed } = this.#context
    const needsLinks = spec.kinds.some((kind) => kind !== 'powerLoss')
    if (needsLinks && topology.links.length === 0) {
      return this.#problem('chaos.kinds', 'expected a topology with links for cut and degrade')
    }
    return expandChaos(
      {
        seed: spec.seed ?? seed,
        fromMs,
        untilMs: spec.until,
        meanIntervalMs: spec.meanInterval,
        meanForMs: spec.for ?? spec.meanInterval,
        kinds: spec.kinds,
        label: `${this.#path} chaos`,
      },
      topology.nodes,
      topology.links,
    )
  }
}
