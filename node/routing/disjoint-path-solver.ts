import { sharesBlockWith } from './blocks.ts'
import type { IndexedGraph, Path } from './graph.ts'
import { MinHeap } from './min-heap.ts'
import { ShortestPathTree } from './shortest-path-tree.ts'

/**
 * Node-disjoint multipath from one source by successive shortest paths (the
 * idea behind Suurballe's and Bhandari's algorithms, generalised to k paths).
 *
 * Every relay v is split into an entry state `in(v)` = 2v and an exit state
 * `out(v)` = 2v + 1 joined by an arc of capacity one, so at most one path
 * crosses it; a link u→v becomes out(u)→in(v). Sending k units of flow at
 * least cost from out(src) to in(dst) yields k paths that share no relay and
 * whose total cost is minimal. The split graph is never built: the arcs
 * leaving a state are derived from the current flow.
 *
 * Each augmentation is a Dijkstra search on reduced costs (Johnson
 * potentials), stopped once in(dst) is settled. The shortest-path tree from
 * the source gives the first path and the first potentials, and is shared by
 * every destination. It also spares most of each search: a node whose tree
 * path crosses no used relay (and not dst) is "clean": it is reached at
 * reduced distance zero along that path, so the search starts from the links
 * leaving the clean region instead of settling it. The rest ("dirty") is a
 * union of subtrees, marked as relays get used, whose potentials are kept
 * explicitly; clean ones share one running shift.
 */
export class DisjointPathSolver {
  readonly #g: IndexedGraph
  readonly #src: number
  readonly #tree: ShortestPathTree
  /** Tree distances: the first potentials. */
  readonly #base: Float64Array
  readonly #outDegree: number
  /** Nodes in a biconnected block with the source; the others have one path at most. */
  readonly #sharesBlock: Uint8Array
  // Flow towards the destination being solved; undone after each solve.
  readonly #edgeFlow: Uint8Array
  readonly #flowIn: Int32Array
  readonly #flowOut: Int32Array
  readonly #touched: number[] = []
  /** Edges that gained flow in the latest augmentation; their heads become used. */
  readonly #fresh: number[] = []
  // Potentials: pot(x) = base - adj(x) for dirty states, base - shift for clean ones.
  readonly #dirty: Int32Array
  readonly #dirtyList: number[] = []
  readonly #adj: Float64Array
  #shift = 0
  #solveId = 0
  // Search state, stamped per run so nothing is cleared between runs.
  readonly #dist: Float64Array
  readonly #seen: Int32Array
  readonly #done: Int32Array
  readonly #parent: Int32Array
  readonly #parentEdge: Int32Array
  readonly #settled: Int32Array
  #settledCount = 0
  /** States reached at the distance being settled: they skip the heap. */
  readonly #zero: Int32Array
  #zeroTop = 0
  #runId = 0
  readonly #heap: MinHeap

  constructor(graph: IndexedGraph, src: number) {
    const n = graph.names.length
    const states = 2 * n
    this.#g = graph
    this.#src = src
    this.#heap = new MinHeap(states)
    this.#tree = new ShortestPathTree(graph, src, this.#heap)
    this.#base = this.#tree.dist
    this.#outDegree = graph.offsets[src + 1]! - graph.offsets[src]!
    this.#sharesBlock = sharesBlockWith(graph, src)
    this.#edgeFlow = new Uint8Array(graph.edgeTo.length)
    this.#flowIn = new Int32Array(n).fill(-1)
    this.#flowOut = new Int32Array(n).fill(-1)
    this.#dirty = new Int32Array(n)
    this.#adj = new Float64Array(states)
    this.#dist = new Float64Array(states)
    this.#seen = new Int32Array(states)
    this.#done = new Int32Array(states)
    this.#parent = new Int32Array(states)
    this.#parentEdge = new Int32Array(states)
    this.#settled = new Int32Array(states)
    // A state is stacked at most once per search: at its final distance.
    this.#zero = new Int32Array(states + 1)
  }

  /** Whether `dst` can be reached from the source at all. */
  reaches(dst: number): boolean {
    return dst !== this.#src && this.#base[dst] !== Number.POSITIVE_INFINITY
  }

  /**
   * Up to `k` node-disjoint paths to `dst`: as many as exist up to `k`, with
   * the least total cost among sets of that size, in flow order (unsorted).
   */
  solve(dst: number, k: number): Path[] {
    if (k < 1 || !this.reaches(dst)) return []
    const inDegree = this.#g.inOffsets[dst + 1]! - this.#g.inOffsets[dst]!
    const limit = this.#sharesBlock[dst] === 1 ? Math.min(k, this.#outDegree, inDegree) : 1
    this.#solveId++
    this.#shift = 0
    this.#dirtyList.length = 0
    this.#markSubtree(dst)
    // The tree path is tight on every link, so the potentials stay valid.
    this.#flowAlongTree(dst)
    this.#markFresh()
    for (let found = 1; found < limit; found++) {
      if (!this.#search(dst)) break
      this.#augment(dst)
      this.#markFresh()
    }
    const paths = this.#decompose(dst)
    this.#resetFlow()
    return paths
  }

  #isDirty(v: number): boolean {
    return this.#dirty[v] === this.#solveId
  }

  /** Marks the subtree below `root` dirty, giving its states the clean potential they had. */
  #markSubtree(root: number): void {
    const { preorder, leave } = this.#tree
    const end = leave[root]!
    for (let at = this.#tree.enter[root]!; at < end; ) {
      const v = preorder[at]!
      if (this.#isDirty(v)) {
        at = leave[v]!
        continue
      }
      this.#dirty[v] = this.#solveId
      this.#dirtyList.push(v)
      this.#adj[2 * v] = this.#shift
      this.#adj[2 * v + 1] = this.#shift
      at++
    }
  }

  #markFresh(): void {
    for (const e of this.#fresh) this.#markSubtree(this.#g.edgeTo[e]!)
    this.#fresh.length = 0
  }

  #flowAlongTree(from: number): void {
    for (let v = from; v !== this.#src; ) {
      const e = this.#tree.parentEdge[v]!
      this.#setFlow(e)
      v = this.#g.edgeFrom[e]!
    }
  }

  /** Dijkstra on reduced costs from the clean region's boundary; stops at in(dst). */
  #search(dst: number): boolean {
    const run = ++this.#runId
    const target = 2 * dst
    const done = this.#done
    const zero = this.#zero
    const heap = this.#heap
    heap.clear()
    this.#settledCount = 0
    this.#zeroTop = 0
    this.#seedFromClean(run)
    while (this.#zeroTop > 0 || heap.size > 0) {
      const x = this.#zeroTop > 0 ? zero[--this.#zeroTop]! : heap.pop()
      if (done[x] === run) continue
      done[x] = run
      this.#settled[this.#settledCount++] = x
      if (x === target) {
        this.#updatePotentials(this.#dist[target]!)
        return true
      }
      if ((x & 1) === 0) this.#relaxFromIn(x, run)
      else this.#relaxFromOut(x, run)
    }
    return false
  }

  /** Offers every dirty entry state the free links coming in from clean nodes. */
  #seedFromClean(run: number): void {
    const { inOffsets, inEdges, edgeFrom, edgeCost } = this.#g
    const base = this.#base
    for (const w of this.#dirtyList) {
      const y = 2 * w
      const potY = base[w]! - this.#adj[y]!
      for (let i = inOffsets[w]!; i < inOffsets[w + 1]!; i++) {
        const e = inEdges[i]!
        const v = edgeFrom[e]!
        if (this.#isDirty(v) || this.#edgeFlow[e] === 1) continue
        const potX = base[v]! - this.#shift
        if (potX === Number.POSITIVE_INFINITY) continue
        this.#relax(2 * v + 1, 0, y, edgeCost[e]! + potX - potY, e, run)
      }
    }
  }

  /** Leaving in(v): across the node when it is free, else back along the link that fills it. */
  #relaxFromIn(x: number, run: number): void {
    const v = x >> 1
    const e = this.#flowIn[v]!
    const potX = this.#base[v]! - this.#adj[x]!
    const dx = this.#dist[x]!
    if (e < 0) {
      this.#relax(x, dx, x + 1, potX - this.#base[v]! + this.#adj[x + 1]!, -1, run)
      return
    }
    const u = this.#g.edgeFrom[e]!
    if (u === this.#src) return
    const y = 2 * u + 1
    const reduced = potX - this.#g.edgeCost[e]! - this.#base[u]! + this.#adj[y]!
    this.#relax(x, dx, y, reduced, e, run)
  }

  /** Leaving out(v): along every unused link into dirty nodes, and back into in(v) when used. */
  #relaxFromOut(x: number, run: number): void {
    const v = x >> 1
    const { offsets, edgeTo, edgeCost } = this.#g
    const base = this.#base
    const adj = this.#adj
    const potX = base[v]! - adj[x]!
    const dx = this.#dist[x]!
    for (let e = offsets[v]!; e < offsets[v + 1]!; e++) {
      const w = edgeTo[e]!
      // Clean nodes are settled at distance zero already; the source is never re-entered.
      if (!this.#isDirty(w) || this.#edgeFlow[e] === 1) continue
      const y = 2 * w
      this.#relax(x, dx, y, potX + edgeCost[e]! - base[w]! + adj[y]!, e, run)
    }
    if (this.#flowIn[v]! >= 0) this.#relax(x, dx, x - 1, potX - base[v]! + adj[x - 1]!, -1, run)
  }

  #relax(x: number, dx: number, y: number, reduced: number, edge: number, run: number): void {
    if (this.#done[y] === run) return
    // Float rounding can leave a tight arc a hair below zero; Dijkstra needs it at zero.
    const d = reduced > 0 ? dx + reduced : dx
    if (this.#seen[y] === run && d >= this.#dist[y]!) return
    this.#seen[y] = run
    this.#dist[y] = d
    this.#parent[y] = x
    this.#parentEdge[y] = edge
    // x is either settled or a clean seed at zero, so dx is the level being settled.
    if (d === dx) this.#zero[this.#zeroTop++] = y
    else this.#heap.push(y, d)
  }

  /** pot += min(dist, D): dirty states settled before the target gain, clean ones all gain D. */
  #updatePotentials(targetDist: number): void {
    for (let i = 0; i < this.#settledCount; i++) {
      const x = this.#settled[i]!
      const gain = targetDist - this.#dist[x]!
      if (gain > 0) this.#adj[x]! += gain
    }
    this.#shift += targetDist
  }

  /** Pushes one unit along the path found, cancelling flow it runs against. */
  #augment(dst: number): void {
    for (let y = 2 * dst; ; ) {
      const x = this.#parent[y]!
      const e = this.#parentEdge[y]!
      if (e >= 0) {
        if ((x & 1) === 1) this.#setFlow(e)
        else this.#clearFlow(e)
      }
      if (!this.#isDirty(x >> 1)) {
        // Entered from the clean region: the rest of the way back is the tree path.
        this.#flowAlongTree(x >> 1)
        return
      }
      y = x
    }
  }

  #setFlow(e: number): void {
    this.#edgeFlow[e] = 1
    this.#flowOut[this.#g.edgeFrom[e]!] = e
    this.#flowIn[this.#g.edgeTo[e]!] = e
    this.#touched.push(e)
    this.#fresh.push(e)
  }

  #clearFlow(e: number): void {
    this.#edgeFlow[e] = 0
    const from = this.#g.edgeFrom[e]!
    const to = this.#g.edgeTo[e]!
    if (this.#flowOut[from] === e) this.#flowOut[from] = -1
    if (this.#flowIn[to] === e) this.#flowIn[to] = -1
  }

  /** Follows the flow out of the source; each relay has exactly one outgoing flow link. */
  #decompose(dst: number): Path[] {
    const { names, offsets, edgeTo, edgeCost } = this.#g
    const paths: Path[] = []
    for (let e = offsets[this.#src]!; e < offsets[this.#src + 1]!; e++) {
      if (this.#edgeFlow[e] !== 1) continue
      const nodes = [names[this.#src]!]
      let cost = edgeCost[e]!
      let v = edgeTo[e]!
      for (let hops = 0; v !== dst && hops < names.length; hops++) {
        nodes.push(names[v]!)
        const next = this.#flowOut[v]!
        cost += edgeCost[next]!
        v = edgeTo[next]!
      }
      nodes.push(names[dst]!)
      paths.push({ nodes, cost })
    }
    return paths
  }

  #resetFlow(): void {
    for (const e of this.#touched) {
      this.#edgeFlow[e] = 0
      this.#flowOut[this.#g.edgeFrom[e]!] = -1
      this.#flowIn[this.#g.edgeTo[e]!] = -1
    }
    this.#touched.length = 0
    this.#fresh.length = 0
  }
}
