import type { Envelope } from '../core/envelope.ts'
import type { NextHopSource } from '../custody/forwarder.ts'
import type { Path } from '../routing/graph.ts'

/** Ranked paths from this gateway, as the route table computes them. */
export interface PathSource {
  paths(dst: string): Path[]
}

export interface LinkStatus {
  isUp(name: string): boolean
  neighbours(): string[]
}

/**
 * Turns the route table's node-disjoint paths into next-hop choices for one
 * envelope: only neighbours whose link is up right now, preferring ones the
 * envelope has not visited. Link state is read at every decision, so a cut takes effect
 * for the very next transfer, before the new link-state record has spread.
 */
export class NextHops implements NextHopSource {
  readonly #links: LinkStatus
  readonly #paths: PathSource

  constructor(links: LinkStatus, paths: PathSource) {
    this.#links = links
    this.#paths = paths
  }

  #usable(env: Envelope): Path[] {
    const visited = new Set(env.route.visited)
    const seen = new Set<string>()
    const out: Path[] = []
    for (const path of this.#paths.paths(env.core.dst)) {
      const hop = path.nodes[1]
      if (hop === undefined || seen.has(hop) || visited.has(hop) || !this.#links.isUp(hop)) continue
      seen.add(hop)
      out.push(path)
    }
    const dst = env.core.dst
    // A direct link works even before any link-state record describes it.
    if (!seen.has(dst) && this.#links.isUp(dst) && this.#links.neighbours().includes(dst)) {
      out.push({ nodes: [env.route.visited.at(-1) ?? '', dst], cost: Number.POSITIVE_INFINITY })
    }
    return out
  }

  /**
   * Unvisited next hops first. When every way on leads back through a gateway
   * the message already visited (it reached a dead end after a cut), those
   * follow, so it can back out instead of waiting for the cut to heal.
   */
  candidates(env: Envelope): string[] {
    const fresh = this.#usable(env).map((p) => p.nodes[1]!)
    if (fresh.length > 0) return fresh
    const here = env.route.visited.at(-1)
    return this.towards(env.core.dst).filter((hop) => hop !== here)
  }

  weighted(env: Envelope, random = Math.random): string | undefined {
    const usable = this.#usable(env).filter((p) => Number.isFinite(p.cost))
    if (usable.length < 2) return usable[0]?.nodes[1]
    const weights = usable.map((p) => 1 / Math.max(p.cost, 1e-3))
    let pick = random() * weights.reduce((a, b) => a + b, 0)
    for (let i = 0; i < usable.length; i++) {
      pick -= weights[i]!
      if (pick <= 0) return usable[i]!.nodes[1]
    }
    return usable.at(-1)?.nodes[1]
  }

  towards(dst: string): string[] {
    const hops = new Set<string>()
    for (const path of this.#paths.paths(dst)) {
      const hop = path.nodes[1]
      if (hop !== undefined && this.#links.isUp(hop)) hops.add(hop)
    }
    if (this.#links.isUp(dst) && this.#links.neighbours().includes(dst)) hops.add(dst)
    return [...hops]
  }

  disjointPair(env: Envelope) {
    const [a, b] = this.#usable(env)
    if (a === undefined || b === undefined) return undefined
    return { first: a.nodes[1]!, second: b.nodes[1]!, secondVia: b.nodes.slice(2) }
  }
}
