import type { Graph, Path } from '../../../node/routing/graph.ts'

/** Best achievable disjoint-path set: how many paths and their least total cost. */
export interface Optimum {
  count: number
  cost: number
}

/** Every simple path from src to dst, by depth-first enumeration (small graphs only). */
export function simplePaths(graph: Graph, src: string, dst: string): Path[] {
  const out: Path[] = []
  const walk = (nodes: string[], cost: number): void => {
    const at = nodes[nodes.length - 1]!
    if (at === dst) {
      out.push({ nodes: [...nodes], cost })
      return
    }
    for (const [next, c] of graph.get(at) ?? []) {
      if (nodes.includes(next) || !Number.isFinite(c) || c < 0) continue
      nodes.push(next)
      walk(nodes, cost + c)
      nodes.pop()
    }
  }
  if (src !== dst) walk([src], 0)
  return out
}

/**
 * Brute force: the largest set (capped at k) of simple paths sharing no
 * relay, and the least total cost among sets of that size. Paths are grouped
 * by their relay set first (only the cheapest of a group can matter), then
 * every combination of groups is tried.
 */
export function bruteForceOptimum(graph: Graph, src: string, dst: string, k: number): Optimum {
  const ids = new Map([...graph.keys()].map((name, i) => [name, i]))
  const cheapest = new Map<number, number>()
  for (const path of simplePaths(graph, src, dst)) {
    let mask = 0
    for (const node of path.nodes.slice(1, -1)) mask |= 1 << ids.get(node)!
    const known = cheapest.get(mask)
    if (known === undefined || path.cost < known) cheapest.set(mask, path.cost)
  }
  const groups = [...cheapest]
  let best: Optimum = { count: 0, cost: 0 }
  const search = (from: number, used: number, count: number, cost: number): void => {
    if (count > best.count || (count === best.count && cost < best.cost)) best = { count, cost }
    if (count === k) return
    for (let i = from; i < groups.length; i++) {
      const [mask, c] = groups[i]!
      if ((mask & used) === 0) search(i + 1, used | mask, count + 1, cost + c)
    }
  }
  search(0, 0, 0, 0)
  return best
}

/**
 * An independent min-cost-flow reference for larger graphs: the node-split
 * graph built explicitly, augmented k times along Bellman-Ford shortest paths
 * (no potentials, no shared state), returning count and total cost.
 */
export function referenceOptimum(graph: Graph, src: string, dst: string, k: number): Optimum {
  const names = [...graph.keys()]
  const id = new Map(names.map((n, i) => [n, i]))
  const arcs: Array<{ from: number; to: number; cost: number; cap: number }> = []
  const add = (from: number, to: number, cost: number, cap: number): void => {
    arcs.push({ from, to, cost, cap }, { from: to, to: from, cost: -cost, cap: 0 })
  }
  const s = id.get(src)!
  const t = id.get(dst)!
  // in(v) = 2v, out(v) = 2v + 1; the ends may carry any number of paths.
  for (let v = 0; v < names.length; v++) add(2 * v, 2 * v + 1, 0, v === s || v === t ? k : 1)
  for (const [from, out] of graph) {
    for (const [to, cost] of out) {
      if (from !== to && Number.isFinite(cost) && cost >= 0) {
        add(2 * id.get(from)! + 1, 2 * id.get(to)!, cost, 1)
      }
    }
  }
  const outArcs = Array.from({ length: 2 * names.length }, () => [] as number[])
  for (let i = 0; i < arcs.length; i++) outArcs[arcs[i]!.from]!.push(i)
  let count = 0
  let total = 0
  while (count < k) {
    // Bellman-Ford with a work queue (residual arcs may be negative, so no Dijkstra here).
    const dist = new Array<number>(2 * names.length).fill(Number.POSITIVE_INFINITY)
    const via = new Array<number>(2 * names.length).fill(-1)
    const queued = new Array<boolean>(2 * names.length).fill(false)
    const queue = [2 * s + 1]
    dist[2 * s + 1] = 0
    for (let head = 0; head < queue.length; head++) {
      const x = queue[head]!
      queued[x] = false
      for (const i of outArcs[x]!) {
        const a = arcs[i]!
        if (a.cap > 0 && dist[x]! + a.cost < dist[a.to]! - 1e-12) {
          dist[a.to] = dist[x]! + a.cost
          via[a.to] = i
          if (!queued[a.to]) {
            queued[a.to] = true
            queue.push(a.to)
          }
        }
      }
    }
    if (dist[2 * t] === Number.POSITIVE_INFINITY) break
    for (let x = 2 * t; x !== 2 * s + 1; x = arcs[via[x]!]!.from) {
      arcs[via[x]!]!.cap--
      arcs[via[x]! ^ 1]!.cap++
    }
    count++
    total += dist[2 * t]!
  }
  return { count, cost: total }
}

/**
 * Throws unless `paths` is a valid answer shape: each path runs src→dst over
 * existing links with its stated cost, visits no node twice, and no two paths
 * share a relay.
 */
export function assertValidPaths(graph: Graph, src: string, dst: string, paths: Path[]): void {
  const relays = new Set<string>()
  for (const path of paths) {
    const { nodes } = path
    if (nodes[0] !== src || nodes[nodes.length - 1] !== dst) throw new Error('wrong ends')
    if (new Set(nodes).size !== nodes.length) throw new Error(`not simple: ${nodes.join(' ')}`)
    let cost = 0
    for (let i = 1; i < nodes.length; i++) {
      const c = graph.get(nodes[i - 1]!)?.get(nodes[i]!)
      if (c === undefined) throw new Error(`no link ${nodes[i - 1]} -> ${nodes[i]}`)
      cost += c
    }
    if (Math.abs(cost - path.cost) > 1e-6 * Math.max(1, cost)) throw new Error('cost mismatch')
    for (const relay of nodes.slice(1, -1)) {
      if (relays.has(relay)) throw new Error(`relay ${relay} shared`)
      relays.add(relay)
    }
  }
}
