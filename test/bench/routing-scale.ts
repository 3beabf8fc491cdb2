import { readdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { allDisjointPaths } from '../../node/routing/disjoint-paths.ts'
import { addBidirectionalLink, type Graph, indexGraph } from '../../node/routing/graph.ts'
import { ShortestPathTree } from '../../node/routing/shortest-path-tree.ts'
import { type ImportedTopology, parseGraphml } from '../../simulator/scenario/import-graphml.ts'
import { parseSubmarine } from '../../simulator/scenario/import-submarine.ts'
import { type BenchContext, compare, type Figure, type Row, trialCount } from './figure.ts'
import { summarize } from './stats.ts'

/** Shared reference data, next to the repository (never copied into it). */
const DATA_DIR = resolve(import.meta.dirname, '../../../shared/data')
const PATHS = 3
const TARGET_MS = 100

/** An imported topology as routing sees it: every node, links priced by their latency. */
export function toGraph(topology: ImportedTopology): Graph {
  const graph: Graph = new Map()
  for (const node of topology.nodes) graph.set(node.id, new Map())
  for (const link of topology.links) addBidirectionalLink(graph, link.a, link.b, link.latencyMs)
  return graph
}

/** The whole submarine-cable dataset: every landing point selected. */
function submarineGraph(): Graph {
  const json = readFileSync(join(DATA_DIR, 'submarine-cables.json'), 'utf8')
  const dataset = JSON.parse(json) as { cables: Array<{ landing_points: Array<{ id: string }> }> }
  const ids = new Set(dataset.cables.flatMap((c) => c.landing_points.map((p) => p.id)))
  const result = parseSubmarine(json, { landingPoints: [...ids] })
  if (!result.ok) throw new Error(result.problems.map((p) => p.message).join('; '))
  return toGraph(result.topology)
}

/** The Topology Zoo graph with the most nodes among the GraphML files at hand. */
function largestZooGraph(): { name: string; graph: Graph } {
  const files = readdirSync(DATA_DIR).filter((f) => f.endsWith('.graphml'))
  const graphs = files.map((f) => ({
    name: f.replace(/\.graphml$/, ''),
    graph: toGraph(parseGraphml(readFileSync(join(DATA_DIR, f), 'utf8'))),
  }))
  const largest = graphs.sort((a, b) => b.graph.size - a.graph.size)[0]
  if (largest === undefined) throw new Error(`no .graphml file in ${DATA_DIR}`)
  return largest
}

function timeMs(work: () => unknown): number {
  const started = performance.now()
  work()
  return performance.now() - started
}

/** Plain single-source Dijkstra (the k=1 shortest-path tree), indexing included as for k=3. */
function shortestPathTree(graph: Graph, src: string): ShortestPathTree {
  const indexed = indexGraph(graph)
  return new ShortestPathTree(indexed, indexed.index.get(src)!)
}

/**
 * Nodes of the largest connected part of the graph. A landing point on an
 * island cable reaches two or three others; timing it would flatter the solver.
 */
function mainComponent(graph: Graph): string[] {
  const indexed = indexGraph(graph)
  const seen = new Set<number>()
  let best: number[] = []
  for (let v = 0; v < indexed.names.length; v++) {
    if (seen.has(v)) continue
    const tree = new ShortestPathTree(indexed, v)
    const members = [...tree.preorder]
    for (const m of members) seen.add(m)
    if (members.length > best.length) best = members
  }
  return best.map((v) => indexed.names[v]!)
}

function measureGraph(ctx: BenchContext, name: string, graph: Graph): { row: Row; note: string } {
  const nodes = mainComponent(graph)
  const trials = trialCount(ctx, 15, 6)
  // Sources spread over the component: cost depends on where the source sits.
  const sources = Array.from(
    { length: trials },
    (_, i) => nodes[Math.floor((i * nodes.length) / trials)]!,
  )
  // Warm-up, so the first trials do not time the JIT compiler.
  for (let i = 0; i < 5; i++) {
    allDisjointPaths(graph, sources[i % trials]!, PATHS)
    shortestPathTree(graph, sources[i % trials]!)
  }
  const disjoint: number[] = []
  const tree: number[] = []
  let links = 0
  for (const out of graph.values()) links += out.size
  sources.forEach((src, i) => {
    let reached = 0
    disjoint.push(timeMs(() => (reached = allDisjointPaths(graph, src, PATHS).size)))
    tree.push(timeMs(() => shortestPathTree(graph, src)))
    const [d, t] = [disjoint.at(-1)!, tree.at(-1)!].map((v) => v.toFixed(1))
    ctx.progress(
      `${name} source ${i + 1}/${trials}: k=${PATHS} ${d} ms to ${reached}, dijkstra ${t} ms`,
    )
  })
  const value = summarize(disjoint)
  const note = `${name}: ${nodes.length} of ${graph.size} nodes in the largest connected part.`
  const row = compare(
    `${name} (${graph.size} nodes, ${links / 2} links), k=${PATHS} to all`,
    'ms',
    value,
    { label: 'dijkstra k=1', value: summarize(tree) },
    { text: `< ${TARGET_MS} ms`, pass: value.median < TARGET_MS },
  )
  return { row, note }
}

export const routingAtScale: Figure = {
  id: 'routing-scale',
  title: `7. Routing at scale: ${PATHS} node-disjoint paths from one source to every destination`,
  async run(ctx) {
    const cables = submarineGraph()
    const zoo = largestZooGraph()
    const measured = [
      measureGraph(ctx, 'submarine cables', cables),
      measureGraph(ctx, `Topology Zoo ${zoo.name}`, zoo.graph),
    ]
    return {
      rows: measured.map((m) => m.row),
      notes: [
        'Graphs built with the simulator importers (all landing points selected; each cable',
        'becomes the minimum spanning tree of its landing points), links priced by fibre latency.',
        'One trial per source, sources spread evenly over the largest connected part of the',
        'graph; times include indexing. Runs in the benchmark process, on the same shared CPU.',
        ...measured.map((m) => m.note),
      ],
    }
  },
}
