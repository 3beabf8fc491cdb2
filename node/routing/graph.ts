/**
 * The overlay as routing sees it: directed link costs between roster names.
 * Links are usually symmetric, but each direction is measured and reported by
 * its own end, so the two costs may differ.
 */
export type Graph = Map<string, Map<string, number>>

/** A simple path from its first node to its last, with the sum of its link costs. */
export interface Path {
  nodes: string[]
  cost: number
}

/** Adds a directed link, keeping the cheaper cost when the link is already there. */
export function addLink(graph: Graph, from: string, to: string, cost: number): void {
  let out = graph.get(from)
  if (out === undefined) {
    out = new Map()
    graph.set(from, out)
  }
  const known = out.get(to)
  if (known === undefined || cost < known) out.set(to, cost)
  if (!graph.has(to)) graph.set(to, new Map())
}

/** Adds a link in both directions with the same cost. */
export function addBidirectionalLink(graph: Graph, a: string, b: string, cost: number): void {
  addLink(graph, a, b, cost)
  addLink(graph, b, a, cost)
}

/**
 * A graph in compressed sparse row form: node `i` has outgoing edges
 * `offsets[i]` to `offsets[i + 1] - 1`, each with a target and a cost, and
 * incoming edges listed by id in `inEdges[inOffsets[i]]` onwards. Path
 * searches run on these flat arrays because walking nested Maps costs several
 * times more on a thousand-node graph.
 */
export interface IndexedGraph {
  names: string[]
  index: Map<string, number>
  offsets: Int32Array
  edgeFrom: Int32Array
  edgeTo: Int32Array
  edgeCost: Float64Array
  inOffsets: Int32Array
  inEdges: Int32Array
}

function usableCost(cost: number): boolean {
  return Number.isFinite(cost) && cost >= 0
}

/**
 * Flattens a graph. Self-loops and links with a negative or non-finite cost are
 * dropped: a link that cannot be priced cannot be routed over. Nodes keep the
 * graph's insertion order, so results are deterministic for a given graph.
 */
export function indexGraph(graph: Graph): IndexedGraph {
  const names: string[] = []
  const index = new Map<string, number>()
  const intern = (name: string): number => {
    let id = index.get(name)
    if (id === undefined) {
      id = names.length
      index.set(name, id)
      names.push(name)
    }
    return id
  }
  let edges = 0
  for (const [from, out] of graph) {
    intern(from)
    for (const [to, cost] of out) {
      intern(to)
      if (to !== from && usableCost(cost)) edges++
    }
  }
  const offsets = new Int32Array(names.length + 1)
  const edgeFrom = new Int32Array(edges)
  const edgeTo = new Int32Array(edges)
  const edgeCost = new Float64Array(edges)
  let at = 0
  for (let i = 0; i < names.length; i++) {
    offsets[i] = at
    const out = graph.get(names[i]!)
    if (out === undefined) continue
    for (const [to, cost] of out) {
      if (to === names[i] || !usableCost(cost)) continue
      edgeFrom[at] = i
      edgeTo[at] = index.get(to)!
      edgeCost[at] = cost
      at++
    }
  }
  offsets[names.length] = at
  const { inOffsets, inEdges } = incoming(names.length, edgeTo)
  return { names, index, offsets, edgeFrom, edgeTo, edgeCost, inOffsets, inEdges }
}

/** Edge ids grouped by target node (a counting sort). */
function incoming(n: number, edgeTo: Int32Array): { inOffsets: Int32Array; inEdges: Int32Array } {
  const inOffsets = new Int32Array(n + 1)
  for (const to of edgeTo) inOffsets[to + 1]!++
  for (let i = 0; i < n; i++) inOffsets[i + 1]! += inOffsets[i]!
  const fill = inOffsets.slice(0, n)
  const inEdges = new Int32Array(edgeTo.length)
  for (let e = 0; e < edgeTo.length; e++) inEdges[fill[edgeTo[e]!]!++] = e
  return { inOffsets, inEdges }
}
