import { TypedEventEmitter } from 'main-event'
import type { Logger } from '../core/log.ts'
import { allDisjointPaths } from './disjoint-paths.ts'
import type { Graph, Path } from './graph.ts'

export interface RouteTableInit {
  /** This gateway's roster name: the source of every path. */
  self: string
  /** The current overlay graph, read once per recomputation. */
  graph: () => Graph
  /**
   * Node-disjoint paths kept per destination (config `routing.paths`).
   * @default 3
   */
  paths?: number
  /**
   * Longest wait between an `invalidate` and the recomputation it causes; every
   * change inside the window shares one recomputation. Part of failover time.
   * @default 10
   */
  debounceMs?: number
  logger?: Logger
}

/** The best next hop towards `destination` changed; undefined means none. */
export interface RouteChange {
  destination: string
  previous: string | undefined
  next: string | undefined
}

export interface RouteTableEvents {
  change: CustomEvent<RouteChange>
  /** After every recomputation, whether or not a route changed. */
  update: CustomEvent<{ destinations: number; changed: number; durationMs: number }>
}

/** The operator view of the table (`GET /v1/routes`). */
export interface RouteSnapshot {
  self: string
  /** Unix milliseconds of the last recomputation; 0 before the first. */
  computedAt: number
  destinations: Array<{ destination: string; nextHops: string[]; paths: Path[] }>
}

/** Costs below this count as this for weighting, so a free path does not take everything. */
const MIN_WEIGHTED_COST = 1e-3

/**
 * For every destination, up to k node-disjoint paths from this gateway, ranked
 * by cost. Recomputed from scratch when told the graph changed, coalescing
 * bursts of changes (a flood of link-state records after a cut) into one run.
 */
export class RouteTable extends TypedEventEmitter<RouteTableEvents> {
  readonly #self: string
  readonly #graph: () => Graph
  readonly #k: number
  readonly #debounceMs: number
  readonly #log: Logger | undefined
  #routes = new Map<string, Path[]>()
  #computedAt = 0
  #timer: ReturnType<typeof setTimeout> | undefined

  constructor(init: RouteTableInit) {
    super()
    this.#self = init.self
    this.#graph = init.graph
    this.#k = init.paths ?? 3
    this.#debounceMs = init.debounceMs ?? 10
    this.#log = init.logger
  }

  /** The graph changed: recompute within `debounceMs`, once for any number of calls. */
  invalidate(): void {
    if (this.#timer !== undefined) return
    this.#timer = setTimeout(() => this.recompute(), this.#debounceMs)
    this.#timer.unref?.()
  }

  /** Recomputes now, superseding a pending one, and emits `change` per moved destination. */
  recompute(): void {
    this.#cancelTimer()
    const started = performance.now()
    const next = allDisjointPaths(this.#graph(), this.#self, this.#k)
    next.delete(this.#self)
    const previous = this.#routes
    this.#routes = next
    this.#computedAt = Date.now()
    const changes = diffBestHops(previous, next)
    const durationMs = performance.now() - started
    if (changes.length > 0) {
      this.#log?.info(
        { changed: changes.length, destinations: next.size, durationMs },
        'routes changed',
      )
    }
    for (const change of changes) {
      this.#log?.debug(change, 'next hop changed')
      this.safeDispatchEvent('change', { detail: change })
    }
    this.safeDispatchEvent('update', {
      detail: { destinations: next.size, changed: changes.length, durationMs },
    })
  }

  /** Stops a pending recomputation; the table keeps answering from its last state. */
  stop(): void {
    this.#cancelTimer()
  }

  #cancelTimer(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer)
    this.#timer = undefined
  }

  /** Ranked paths to `dst`, cheapest first; empty when there is none. */
  paths(dst: string): Path[] {
    return this.#routes.get(dst) ?? []
  }

  /** First hop of each path to `dst`, best first (distinct, as the paths are disjoint). */
  nextHops(dst: string): string[] {
    return this.paths(dst).map((p) => p.nodes[1]!)
  }

  /** Destinations with at least one path. */
  destinations(): string[] {
    return [...this.#routes.keys()]
  }

  /**
   * A path chosen with probability proportional to the inverse of its cost, for
   * spreading bulk traffic: a path twice as costly carries half as much.
   * `random` returns a number in [0, 1).
   */
  pickWeighted(dst: string, random: () => number = Math.random): Path | undefined {
    const paths = this.paths(dst)
    if (paths.length < 2) return paths[0]
    const weights = paths.map((p) => 1 / Math.max(p.cost, MIN_WEIGHTED_COST))
    let point = random() * weights.reduce((a, b) => a + b, 0)
    for (let i = 0; i < paths.length; i++) {
      point -= weights[i]!
      if (point < 0) return paths[i]
    }
    return paths[paths.length - 1]
  }

  /** The two cheapest disjoint paths, for the two copies of a critical message; undefined if fewer. */
  disjointPair(dst: string): [Path, Path] | undefined {
    const [first, second] = this.paths(dst)
    return first !== undefined && second !== undefined ? [first, second] : undefined
  }

  snapshot(): RouteSnapshot {
    const destinations = [...this.#routes.keys()].sort().map((destination) => ({
      destination,
      nextHops: this.nextHops(destination),
      paths: this.paths(destination).map((p) => ({ nodes: [...p.nodes], cost: p.cost })),
    }))
    return { self: this.#self, computedAt: this.#computedAt, destinations }
  }
}

/** Destinations whose best next hop differs between two tables, in name order. */
function diffBestHops(before: Map<string, Path[]>, after: Map<string, Path[]>): RouteChange[] {
  const names = new Set([...before.keys(), ...after.keys()])
  const changes: RouteChange[] = []
  for (const destination of [...names].sort()) {
    const previous = before.get(destination)?.[0]?.nodes[1]
    const next = after.get(destination)?.[0]?.nodes[1]
    if (previous !== next) changes.push({ destination, previous, next })
  }
  return changes
}
