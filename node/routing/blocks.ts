import type { IndexedGraph } from './graph.ts'

/**
 * Marks the nodes that share a biconnected block with `src` in the graph
 * with link directions ignored. Two node-disjoint paths between two nodes
 * form a cycle through both, so a node outside every block of `src` has at
 * most one disjoint path from it, and the path search can stop after the first.
 *
 * Iterative depth-first search with low-links rooted at `src`: a tree edge
 * u→x (u not the root) stays in the block above u when x's subtree reaches
 * above u (`low[x] < disc[u]`); the root's own blocks are its child subtrees.
 */
export function sharesBlockWith(graph: IndexedGraph, src: number): Uint8Array {
  const n = graph.names.length
  const adjacency = undirectedAdjacency(graph)
  const disc = new Int32Array(n).fill(-1)
  const low = new Int32Array(n)
  const parent = new Int32Array(n).fill(-1)
  const cursor = new Int32Array(n)
  const order: number[] = []
  const stack: number[] = [src]
  disc[src] = 0
  low[src] = 0
  cursor[src] = adjacency.offsets[src]!
  order.push(src)
  while (stack.length > 0) {
    const u = stack[stack.length - 1]!
    if (cursor[u]! < adjacency.offsets[u + 1]!) {
      const w = adjacency.targets[cursor[u]!++]!
      if (disc[w] === -1) {
        disc[w] = order.length
        low[w] = disc[w]!
        parent[w] = u
        cursor[w] = adjacency.offsets[w]!
        order.push(w)
        stack.push(w)
      } else if (w !== parent[u] && disc[w]! < low[u]!) low[u] = disc[w]!
      continue
    }
    stack.pop()
    const p = parent[u]!
    if (p >= 0 && low[u]! < low[p]!) low[p] = low[u]!
  }
  const shared = new Uint8Array(n)
  for (const x of order) {
    const u = parent[x]!
    if (u === -1) continue
    shared[x] = u === src || (shared[u] === 1 && low[x]! < disc[u]!) ? 1 : 0
  }
  return shared
}

/** Neighbours of every node in both link directions (duplicates are harmless here). */
function undirectedAdjacency(graph: IndexedGraph): { offsets: Int32Array; targets: Int32Array } {
  const n = graph.names.length
  const { edgeFrom, edgeTo } = graph
  const offsets = new Int32Array(n + 1)
  for (let e = 0; e < edgeTo.length; e++) {
    offsets[edgeFrom[e]! + 1]!++
    offsets[edgeTo[e]! + 1]!++
  }
  for (let i = 0; i < n; i++) offsets[i + 1]! += offsets[i]!
  const fill = offsets.slice(0, n)
  const targets = new Int32Array(2 * edgeTo.length)
  for (let e = 0; e < edgeTo.length; e++) {
    targets[fill[edgeFrom[e]!]!++] = edgeTo[e]!
    targets[fill[edgeTo[e]!]!++] = edgeFrom[e]!
  }
  return { offsets, targets }
}
