import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { allDisjointPaths } from '../../../node/routing/disjoint-paths.ts'
import type { Graph } from '../../../node/routing/graph.ts'
import { assertValidPaths, referenceOptimum } from './reference-paths.ts'
import { DATA_DIR, graphmlGraph, submarineCableGraph } from './topologies.ts'

/**
 * CPU milliseconds of the fastest of `runs` calls. CPU time rather than wall
 * time, and the fastest run, because the machine is shared with other work.
 */
function fastest(runs: number, fn: () => void): number {
  let best = Number.POSITIVE_INFINITY
  for (let i = 0; i < runs; i++) {
    const start = process.cpuUsage()
    fn()
    const used = process.cpuUsage(start)
    best = Math.min(best, (used.user + used.system) / 1000)
  }
  return best
}

function checkAgainstReference(graph: Graph, src: string, dsts: string[], k: number): void {
  const all = allDisjointPaths(graph, src, k)
  for (const dst of dsts) {
    const paths = all.get(dst) ?? []
    assertValidPaths(graph, src, dst, paths)
    const ref = referenceOptimum(graph, src, dst, k)
    assert.equal(paths.length, ref.count, `${src} -> ${dst}: path count`)
    const total = paths.reduce((sum, p) => sum + p.cost, 0)
    assert.ok(Math.abs(total - ref.cost) < 1e-6 * Math.max(1, ref.cost), `${src} -> ${dst}: cost`)
  }
}

describe('allDisjointPaths on published topologies', () => {
  const cables = submarineCableGraph()
  const landings = [...cables.keys()]

  test('matches an independent min-cost-flow reference on the submarine-cable graph', () => {
    // Sources and destinations spread over the dataset; the reference is slow, so a sample.
    const sources = [landings[0]!, landings[388]!]
    for (const src of sources) {
      const dsts = landings.filter((_, i) => i % 181 === 7)
      checkAgainstReference(cables, src, dsts, 3)
    }
  })

  test('returns only valid disjoint path sets for every submarine-cable destination', () => {
    const src = landings[97]!
    const all = allDisjointPaths(cables, src, 3)
    assert.ok(all.size > 900, `only ${all.size} destinations reached`)
    for (const [dst, paths] of all) {
      assert.ok(paths.length >= 1 && paths.length <= 3)
      assertValidPaths(cables, src, dst, paths)
    }
  })

  test('computes three paths to every submarine-cable destination in well under two seconds', (t) => {
    const sources = [0, 194, 388].map((i) => landings[i]!)
    for (const src of sources) allDisjointPaths(cables, src, 3)
    const times = sources.map((src) => fastest(2, () => allDisjointPaths(cables, src, 3)))
    const mean = times.reduce((a, b) => a + b, 0) / times.length
    t.diagnostic(
      `submarine cables (${cables.size} nodes), k=3, all destinations: ` +
        `mean ${mean.toFixed(1)} ms, max ${Math.max(...times).toFixed(1)} ms CPU per source`,
    )
    // Generous: the machine is shared; the point is to catch an accidental quadratic blow-up.
    assert.ok(Math.max(...times) < 1500, `slowest source took ${Math.max(...times)} ms`)
  })

  for (const name of ['Nsfnet', 'Abilene']) {
    test(`matches the reference for every pair of the ${name} topology`, (t) => {
      const graph = graphmlGraph(`${DATA_DIR}/${name}.graphml`)
      const nodes = [...graph.keys()]
      for (const src of nodes)
        checkAgainstReference(
          graph,
          src,
          nodes.filter((n) => n !== src),
          3,
        )
      const perSource = fastest(5, () => {
        for (const src of nodes) allDisjointPaths(graph, src, 3)
      })
      t.diagnostic(
        `${name} (${nodes.length} nodes), k=3, all pairs: ${(perSource * 1000).toFixed(0)} µs CPU ` +
          `(${((perSource * 1000) / nodes.length).toFixed(0)} µs per source)`,
      )
    })
  }
})
