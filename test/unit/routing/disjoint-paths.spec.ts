import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import fc from 'fast-check'
import { allDisjointPaths, disjointPaths } from '../../../node/routing/disjoint-paths.ts'
import { addBidirectionalLink, addLink, type Graph } from '../../../node/routing/graph.ts'
import { assertValidPaths, bruteForceOptimum, referenceOptimum } from './reference-paths.ts'

const NAMES = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']

interface Scenario {
  graph: Graph
  src: string
  dst: string
  k: number
}

const cost = fc.oneof(
  fc.integer({ min: 0, max: 9 }),
  fc.double({ min: 0, max: 50, noNaN: true, noDefaultInfinity: true }),
)

/** One unordered pair of nodes: present or not, and in which directions at which costs. */
const pair = fc.record({
  roll: fc.integer({ min: 0, max: 99 }),
  mode: fc.constantFrom('same', 'different', 'forward', 'backward'),
  forward: cost,
  backward: cost,
})

/** Random small graphs: 2-8 nodes, density 20-100%, some links one-way or asymmetric. */
const scenario = fc
  .integer({ min: 2, max: 8 })
  .chain((n) =>
    fc.record({
      n: fc.constant(n),
      density: fc.integer({ min: 20, max: 100 }),
      pairs: fc.array(pair, { minLength: (n * (n - 1)) / 2, maxLength: (n * (n - 1)) / 2 }),
      src: fc.nat(n - 1),
      dst: fc.nat(n - 2),
      k: fc.integer({ min: 1, max: 4 }),
    }),
  )
  .map(({ n, density, pairs, src, dst, k }): Scenario => {
    const graph: Graph = new Map(NAMES.slice(0, n).map((name) => [name, new Map()]))
    let at = 0
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        const p = pairs[at++]!
        if (p.roll >= density) continue
        const [a, b] = [NAMES[i]!, NAMES[j]!]
        if (p.mode !== 'backward') addLink(graph, a, b, p.forward)
        if (p.mode === 'same') addLink(graph, b, a, p.forward)
        if (p.mode === 'different' || p.mode === 'backward') addLink(graph, b, a, p.backward)
      }
    }
    return { graph, src: NAMES[src]!, dst: NAMES[(src + 1 + dst) % n]!, k }
  })

/**
 * Random medium graphs (10-40 nodes): deep enough shortest-path trees that
 * later searches meet relays used by earlier ones, which 8 nodes rarely do.
 */
const mediumGraph = fc
  .record({
    n: fc.integer({ min: 10, max: 40 }),
    links: fc.array(
      fc.record({
        a: fc.nat(39),
        b: fc.nat(39),
        cost: fc.integer({ min: 1, max: 30 }),
        oneWay: fc.boolean(),
      }),
      { minLength: 20, maxLength: 150 },
    ),
    k: fc.integer({ min: 2, max: 5 }),
  })
  .map(({ n, links, k }) => {
    const graph: Graph = new Map()
    for (let i = 0; i < n; i++) graph.set(`n${i}`, new Map())
    for (const l of links) {
      const [a, b] = [`n${l.a % n}`, `n${l.b % n}`]
      if (a === b) continue
      if (l.oneWay) addLink(graph, a, b, l.cost)
      else addBidirectionalLink(graph, a, b, l.cost)
    }
    return { graph, k }
  })

function close(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b))
}

describe('disjointPaths', () => {
  test('finds as many disjoint paths as brute force, at the same least total cost', () => {
    fc.assert(
      fc.property(scenario, ({ graph, src, dst, k }) => {
        const paths = disjointPaths(graph, src, dst, k)
        assertValidPaths(graph, src, dst, paths)
        const best = bruteForceOptimum(graph, src, dst, k)
        assert.equal(paths.length, best.count)
        const total = paths.reduce((sum, p) => sum + p.cost, 0)
        assert.ok(close(total, best.cost), `total ${total} but brute force found ${best.cost}`)
        for (let i = 1; i < paths.length; i++) assert.ok(paths[i - 1]!.cost <= paths[i]!.cost)
      }),
      { numRuns: 1500 },
    )
  })

  test('gives every destination the same answer whether solved alone or all at once', () => {
    fc.assert(
      fc.property(scenario, ({ graph, src, k }) => {
        const all = allDisjointPaths(graph, src, k)
        for (const dst of graph.keys()) {
          if (dst === src) continue
          const alone = disjointPaths(graph, src, dst, k)
          assert.deepEqual(all.get(dst) ?? [], alone)
        }
      }),
      { numRuns: 400 },
    )
  })

  test('agrees with a plain min-cost-flow reference on every destination of medium graphs', () => {
    fc.assert(
      fc.property(mediumGraph, ({ graph, k }) => {
        const all = allDisjointPaths(graph, 'n0', k)
        for (const dst of graph.keys()) {
          if (dst === 'n0') continue
          const paths = all.get(dst) ?? []
          assertValidPaths(graph, 'n0', dst, paths)
          const ref = referenceOptimum(graph, 'n0', dst, k)
          assert.equal(paths.length, ref.count)
          assert.ok(
            close(
              paths.reduce((sum, p) => sum + p.cost, 0),
              ref.cost,
            ),
          )
        }
      }),
      { numRuns: 200 },
    )
  })

  test('leaves the greedy shortest path when only a detour makes two disjoint paths', () => {
    // The shortest path s-a-b-t blocks every second path; the optimum is s-a-t plus s-b-t.
    const g: Graph = new Map()
    addBidirectionalLink(g, 's', 'a', 1)
    addBidirectionalLink(g, 'a', 'b', 1)
    addBidirectionalLink(g, 'b', 't', 1)
    addBidirectionalLink(g, 'a', 't', 4)
    addBidirectionalLink(g, 's', 'b', 4)
    const paths = disjointPaths(g, 's', 't', 2)
    assert.deepEqual(
      paths.map((p) => p.nodes.join('')),
      ['sat', 'sbt'],
    )
    assert.equal(paths[0]!.cost + paths[1]!.cost, 10)
  })

  test('uses each direction at its own cost', () => {
    const g: Graph = new Map()
    addLink(g, 'a', 'b', 1)
    addLink(g, 'b', 'a', 9)
    addLink(g, 'b', 'c', 1)
    addLink(g, 'c', 'b', 9)
    assert.deepEqual(disjointPaths(g, 'a', 'c', 3), [{ nodes: ['a', 'b', 'c'], cost: 2 }])
    assert.deepEqual(disjointPaths(g, 'c', 'a', 3), [{ nodes: ['c', 'b', 'a'], cost: 18 }])
  })

  test('returns nothing for an unreachable, unknown or identical destination', () => {
    const g: Graph = new Map()
    addLink(g, 'a', 'b', 1)
    addLink(g, 'c', 'a', 1)
    assert.deepEqual(disjointPaths(g, 'a', 'c', 2), [])
    assert.deepEqual(disjointPaths(g, 'a', 'zz', 2), [])
    assert.deepEqual(disjointPaths(g, 'a', 'a', 2), [])
    assert.deepEqual(disjointPaths(g, 'a', 'b', 0), [])
    assert.equal(allDisjointPaths(g, 'a', 2).has('c'), false)
  })

  test('ignores links whose cost is negative or not finite', () => {
    const g: Graph = new Map()
    addBidirectionalLink(g, 'a', 'b', 1)
    addBidirectionalLink(g, 'b', 'c', 1)
    addBidirectionalLink(g, 'a', 'x', -5)
    addBidirectionalLink(g, 'x', 'c', Number.POSITIVE_INFINITY)
    addBidirectionalLink(g, 'a', 'y', Number.NaN)
    addBidirectionalLink(g, 'y', 'c', 1)
    assert.deepEqual(disjointPaths(g, 'a', 'c', 3), [{ nodes: ['a', 'b', 'c'], cost: 2 }])
  })

  test('stops at one path when a cut node separates source and destination', () => {
    // Two triangles joined at m: every path from a to z crosses m.
    const g: Graph = new Map()
    for (const [x, y] of [
      ['a', 'b'],
      ['b', 'm'],
      ['a', 'm'],
      ['m', 'y'],
      ['y', 'z'],
      ['m', 'z'],
    ]) {
      addBidirectionalLink(g, x!, y!, 1)
    }
    const paths = disjointPaths(g, 'a', 'z', 3)
    assert.deepEqual(paths, [{ nodes: ['a', 'm', 'z'], cost: 2 }])
    assert.equal(allDisjointPaths(g, 'a', 3).get('b')!.length, 2)
  })
})
