import { DisjointPathSolver } from './disjoint-path-solver.ts'
import { type Graph, type IndexedGraph, indexGraph, type Path } from './graph.ts'

/** Cheapest first; ties broken by hop count, then by node names, so results are stable. */
export function comparePaths(a: Path, b: Path): number {
  if (a.cost !== b.cost) return a.cost - b.cost
  if (a.nodes.length !== b.nodes.length) return a.nodes.length - b.nodes.length
  const left = a.nodes.join('\n')
  const right = b.nodes.join('\n')
  return left < right ? -1 : left > right ? 1 : 0
}

/**
 * Up to `k` node-disjoint simple paths from `src` to `dst` (they share no node
 * but the two ends): as many as the graph allows up to `k`, with the least
 * total cost among such sets, cheapest first. Empty when `dst` is unreachable
 * or equals `src`. Links with a negative or non-finite cost are ignored.
 */
export function disjointPaths(graph: Graph, src: string, dst: string, k: number): Path[] {
  const indexed = indexGraph(graph)
  const s = indexed.index.get(src)
  const t = indexed.index.get(dst)
  if (s === undefined || t === undefined) return []
  return new DisjointPathSolver(indexed, s).solve(t, k).sort(comparePaths)
}

/**
 * `disjointPaths` from `src` to every node it can reach, sharing one index and
 * one shortest-path tree. Unreachable nodes have no entry.
 */
export function allDisjointPaths(graph: Graph, src: string, k: number): Map<string, Path[]> {
  return allDisjointPathsIndexed(indexGraph(graph), src, k)
}

/** As `allDisjointPaths`, for callers that keep the indexed graph between computations. */
export function allDisjointPathsIndexed(
  indexed: IndexedGraph,
  src: string,
  k: number,
): Map<string, Path[]> {
  const out = new Map<string, Path[]>()
  const s = indexed.index.get(src)
  if (s === undefined) return out
  const solver = new DisjointPathSolver(indexed, s)
  for (let t = 0; t < indexed.names.length; t++) {
    if (solver.reaches(t)) out.set(indexed.names[t]!, solver.solve(t, k).sort(comparePaths))
  }
  return out
}
