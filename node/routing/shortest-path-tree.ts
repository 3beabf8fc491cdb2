import type { IndexedGraph } from './graph.ts'
import { MinHeap } from './min-heap.ts'

/**
 * Shortest paths from one source (Dijkstra with a binary heap), plus a
 * preorder numbering of the tree so that the subtree below any node is the
 * contiguous slice `preorder[enter[v]]` to `preorder[leave[v] - 1]`.
 */
export class ShortestPathTree {
  readonly source: number
  /** Distance from the source; +Infinity when unreachable. */
  readonly dist: Float64Array
  /** The tree edge entering each node, or -1 for the source and unreachable nodes. */
  readonly parentEdge: Int32Array
  /** Reachable nodes in depth-first preorder, the source first. */
  readonly preorder: Int32Array
  /** Position of each node in `preorder` (-1 when unreachable). */
  readonly enter: Int32Array
  /** One past the last preorder position of each node's subtree. */
  readonly leave: Int32Array

  constructor(graph: IndexedGraph, source: number, heap = new MinHeap(graph.names.length)) {
    const n = graph.names.length
    this.source = source
    this.dist = new Float64Array(n).fill(Number.POSITIVE_INFINITY)
    this.parentEdge = new Int32Array(n).fill(-1)
    this.enter = new Int32Array(n).fill(-1)
    this.leave = new Int32Array(n).fill(-1)
    this.#dijkstra(graph, heap)
    this.preorder = this.#number(graph)
  }

  /** Whether `v` lies in the subtree below `root` (a node is in its own subtree). */
  inSubtree(root: number, v: number): boolean {
    const at = this.enter[v]!
    return at >= this.enter[root]! && at < this.leave[root]!
  }

  #dijkstra(graph: IndexedGraph, heap: MinHeap): void {
    const { offsets, edgeTo, edgeCost } = graph
    const dist = this.dist
    heap.clear()
    dist[this.source] = 0
    heap.push(this.source, 0)
    while (heap.size > 0) {
      const key = heap.peekKey()
      const v = heap.pop()
      if (key > dist[v]!) continue
      for (let e = offsets[v]!; e < offsets[v + 1]!; e++) {
        const w = edgeTo[e]!
        const d = key + edgeCost[e]!
        if (d < dist[w]!) {
          dist[w] = d
          this.parentEdge[w] = e
          heap.push(w, d)
        }
      }
    }
  }

  /** Iterative depth-first walk over child lists built by a counting sort on parents. */
  #number(graph: IndexedGraph): Int32Array {
    const n = graph.names.length
    const firstChild = new Int32Array(n + 1)
    for (let v = 0; v < n; v++) {
      const e = this.parentEdge[v]!
      if (e >= 0) firstChild[graph.edgeFrom[e]! + 1]!++
    }
    for (let v = 0; v < n; v++) firstChild[v + 1]! += firstChild[v]!
    const fill = firstChild.slice(0, n)
    const children = new Int32Array(firstChild[n]!)
    for (let v = 0; v < n; v++) {
      const e = this.parentEdge[v]!
      if (e >= 0) children[fill[graph.edgeFrom[e]!]!++] = v
    }
    const preorder = new Int32Array(children.length + 1)
    const cursor = firstChild.slice(0, n)
    const stack = [this.source]
    let next = 0
    this.enter[this.source] = next
    preorder[next++] = this.source
    while (stack.length > 0) {
      const v = stack[stack.length - 1]!
      if (cursor[v]! < firstChild[v + 1]!) {
        const child = children[cursor[v]!++]!
        this.enter[child] = next
        preorder[next++] = child
        stack.push(child)
      } else {
        this.leave[v] = next
        stack.pop()
      }
    }
    return preorder
  }
}
