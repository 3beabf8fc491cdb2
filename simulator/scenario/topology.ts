import type { Problem } from './errors.ts'
import type { ImportedTopology } from './import-graphml.ts'
import type { RawTopology } from './schema.ts'
import type { DrillLink, DrillNode } from './types.ts'

/**
 * The drill's nodes and links with the lookups fault compilation needs. A link
 * answers to its id and, when the id is the default `<a>-<b>`, also to
 * `<b>-<a>`; a cable answers with every link that lists it.
 */
export class Topology {
  readonly nodes: DrillNode[]
  readonly links: DrillLink[]
  readonly #nodes = new Map<string, DrillNode>()
  readonly #links = new Map<string, DrillLink>()
  readonly #aliases = new Map<string, DrillLink>()
  readonly #cables = new Map<string, DrillLink[]>()
  readonly #regions = new Map<string, string[]>()

  constructor(nodes: DrillNode[], links: DrillLink[]) {
    this.nodes = nodes
    this.links = links
    for (const node of nodes) {
      this.#nodes.set(node.id, node)
      if (node.region === undefined) continue
      const members = this.#regions.get(node.region) ?? []
      members.push(node.id)
      this.#regions.set(node.region, members)
    }
    for (const link of links) {
      this.#links.set(link.id, link)
      if (link.id === `${link.a}-${link.b}`) this.#aliases.set(`${link.b}-${link.a}`, link)
      for (const cable of link.cables) {
        const riding = this.#cables.get(cable) ?? []
        riding.push(link)
        this.#cables.set(cable, riding)
      }
    }
  }

  hasNode(id: string): boolean {
    return this.#nodes.has(id)
  }

  findLink(ref: string): DrillLink | undefined {
    return this.#links.get(ref) ?? this.#aliases.get(ref)
  }

  linksOnCable(cable: string): DrillLink[] {
    return this.#cables.get(cable) ?? []
  }

  /** A region's node ids, or the node itself when `name` is a node id; else undefined. */
  expand(name: string): string[] | undefined {
    return this.#regions.get(name) ?? (this.#nodes.has(name) ? [name] : undefined)
  }

  /** A short list of valid names for messages: the first few, then a count. */
  describe(what: 'nodes' | 'links' | 'cables' | 'regions'): string {
    const names =
      what === 'nodes'
        ? [...this.#nodes.keys()]
        : what === 'links'
          ? [...this.#links.keys()]
          : what === 'cables'
            ? [...this.#cables.keys()]
            : [...this.#regions.keys()]
    if (names.length === 0) return `no ${what} are defined`
    const shown = names.slice(0, 8).join(', ')
    return names.length > 8 ? `one of ${shown}, ... (${names.length} in all)` : `one of ${shown}`
  }
}

/**
 * Adds the inline nodes and links to the imported ones and checks them: unique
 * node ids, links between two different known nodes, one link per pair, unique
 * link ids. Problems go to `problems`; the topology is built regardless so
 * later checks can report their own.
 */
export function assembleTopology(
  imported: ImportedTopology | undefined,
  raw: RawTopology,
  problems: Problem[],
): Topology {
  const nodes = [...(imported?.nodes ?? [])]
  const ids = new Set(nodes.map((node) => node.id))
  raw.nodes.forEach((node, i) => {
    if (ids.has(node.id)) {
      problems.push({
        path: `topology.nodes[${i}].id`,
        message: `expected a unique node id; "${node.id}" is already used`,
      })
      return
    }
    ids.add(node.id)
    nodes.push(dropUndefined({ ...node }))
  })
  const links = [...(imported?.links ?? [])]
  const known = new Topology(nodes, [])
  const pairs = new Set(links.map((link) => pairKey(link.a, link.b)))
  const linkIds = new Set(links.map((link) => link.id))
  raw.links.forEach((rawLink, i) => {
    const path = `topology.links[${i}]`
    const unknownEnds = (['a', 'b'] as const).filter((end) => !known.hasNode(rawLink[end]))
    for (const end of unknownEnds) {
      const message = `expected a node id (${known.describe('nodes')}), got "${rawLink[end]}"`
      problems.push({ path: `${path}.${end}`, message })
    }
    if (unknownEnds.length > 0) return
    const id = rawLink.id ?? `${rawLink.a}-${rawLink.b}`
    const problem =
      rawLink.a === rawLink.b
        ? { path: `${path}.b`, message: 'expected a node other than a: a link joins two nodes' }
        : pairs.has(pairKey(rawLink.a, rawLink.b))
          ? { path, message: `expected one link per pair; ${rawLink.a}-${rawLink.b} is repeated` }
          : linkIds.has(id)
            ? { path: `${path}.id`, message: `expected a unique link id; "${id}" is already used` }
            : undefined
    if (problem !== undefined) {
      problems.push(problem)
      return
    }
    pairs.add(pairKey(rawLink.a, rawLink.b))
    linkIds.add(id)
    links.push(toDrillLink(id, rawLink))
  })
  return new Topology(nodes, links)
}

function toDrillLink(id: string, raw: RawTopology['links'][number]): DrillLink {
  const link: DrillLink = {
    id,
    a: raw.a,
    b: raw.b,
    latencyMs: raw.latency,
    jitterMs: raw.jitter,
    lossRatio: raw.loss,
    cables: raw.cables,
  }
  if (raw.bandwidth !== undefined) link.bandwidthBps = raw.bandwidth
  return link
}

function pairKey(a: string, b: string): string {
  return a < b ? `${a}\n${b}` : `${b}\n${a}`
}

function dropUndefined<T extends object>(value: T): T {
  for (const key of Object.keys(value) as Array<keyof T>) {
    if (value[key] === undefined) delete value[key]
  }
  return value
}
