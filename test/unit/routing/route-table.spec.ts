import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { addBidirectionalLink, type Graph } from '../../../node/routing/graph.ts'
import { type RouteChange, RouteTable } from '../../../node/routing/route-table.ts'

/** s reaches d directly (cost 10), via a (2 + 2) and via b (3 + 9); e hangs off a. */
function diamond(): Graph {
  const g: Graph = new Map()
  addBidirectionalLink(g, 's', 'd', 10)
  addBidirectionalLink(g, 's', 'a', 2)
  addBidirectionalLink(g, 'a', 'd', 2)
  addBidirectionalLink(g, 's', 'b', 3)
  addBidirectionalLink(g, 'b', 'd', 9)
  addBidirectionalLink(g, 'a', 'e', 1)
  return g
}

function table(graph: () => Graph, paths = 3) {
  const routes = new RouteTable({ self: 's', graph, paths, debounceMs: 20 })
  const changes: RouteChange[] = []
  routes.addEventListener('change', (evt) => changes.push(evt.detail))
  return { routes, changes }
}

describe('RouteTable', () => {
  test('ranks disjoint paths per destination and exposes their first hops', () => {
    const { routes } = table(() => diamond())
    routes.recompute()
    assert.deepEqual(routes.nextHops('d'), ['a', 'd', 'b'])
    assert.deepEqual(
      routes.paths('d').map((p) => p.cost),
      [4, 10, 12],
    )
    assert.deepEqual(routes.nextHops('e'), ['a'])
    assert.deepEqual(routes.nextHops('s'), [])
    assert.deepEqual(routes.nextHops('nowhere'), [])
    const snap = routes.snapshot()
    assert.equal(snap.self, 's')
    assert.ok(snap.computedAt > 0)
    assert.deepEqual(
      snap.destinations.map((d) => d.destination),
      ['a', 'b', 'd', 'e'],
    )
    assert.deepEqual(snap.destinations[2]!.paths[0], { nodes: ['s', 'a', 'd'], cost: 4 })
  })

  test('keeps no more paths per destination than configured', () => {
    const { routes } = table(() => diamond(), 2)
    routes.recompute()
    assert.deepEqual(routes.nextHops('d'), ['a', 'd'])
  })

  test('coalesces a burst of invalidations into one recomputation after the debounce', (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] })
    let reads = 0
    const { routes } = table(() => {
      reads++
      return diamond()
    })
    for (let i = 0; i < 50; i++) routes.invalidate()
    t.mock.timers.tick(19)
    assert.equal(reads, 0)
    t.mock.timers.tick(1)
    assert.equal(reads, 1)
    assert.deepEqual(routes.nextHops('d')[0], 'a')
    routes.invalidate()
    routes.stop()
    t.mock.timers.tick(100)
    assert.equal(reads, 1)
  })

  test('announces each destination whose best next hop moves, and only those', () => {
    let graph = diamond()
    const { routes, changes } = table(() => graph)
    routes.recompute()
    assert.deepEqual(changes, [
      { destination: 'a', previous: undefined, next: 'a' },
      { destination: 'b', previous: undefined, next: 'b' },
      { destination: 'd', previous: undefined, next: 'a' },
      { destination: 'e', previous: undefined, next: 'a' },
    ])
    changes.length = 0
    routes.recompute()
    assert.equal(changes.length, 0)
    // Cut s-a: d moves to its direct link, e goes the long way round through d, a becomes remote.
    graph = diamond()
    graph.get('s')!.delete('a')
    graph.get('a')!.delete('s')
    routes.recompute()
    assert.deepEqual(changes, [
      { destination: 'a', previous: 'a', next: 'd' },
      { destination: 'd', previous: 'a', next: 'd' },
      { destination: 'e', previous: 'a', next: 'd' },
    ])
    changes.length = 0
    graph = new Map()
    routes.recompute()
    assert.equal(changes.length, 4)
    assert.ok(changes.every((c) => c.next === undefined))
  })

  test('spreads traffic over paths in inverse proportion to their cost', () => {
    const g: Graph = new Map()
    addBidirectionalLink(g, 's', 'x', 1)
    addBidirectionalLink(g, 'x', 'd', 1)
    addBidirectionalLink(g, 's', 'y', 3)
    addBidirectionalLink(g, 'y', 'd', 3)
    const { routes } = table(() => g)
    routes.recompute()
    // Weights 1/2 and 1/6: the cheaper path takes three quarters.
    assert.equal(routes.pickWeighted('d', () => 0.74)!.nodes[1], 'x')
    assert.equal(routes.pickWeighted('d', () => 0.76)!.nodes[1], 'y')
    assert.equal(routes.pickWeighted('d', () => 0.999999)!.nodes[1], 'y')
    let seed = 7
    const lcg = (): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31
      return seed / 2 ** 31
    }
    let cheap = 0
    for (let i = 0; i < 4000; i++) if (routes.pickWeighted('d', lcg)!.nodes[1] === 'x') cheap++
    assert.ok(Math.abs(cheap / 4000 - 0.75) < 0.03, `cheap path took ${cheap / 4000}`)
    assert.equal(routes.pickWeighted('nowhere'), undefined)
  })

  test('offers a disjoint pair only where two disjoint paths exist', () => {
    const { routes } = table(() => diamond())
    routes.recompute()
    const pair = routes.disjointPair('d')
    assert.ok(pair !== undefined)
    assert.deepEqual(
      pair.map((p) => p.nodes.join('')),
      ['sad', 'sd'],
    )
    assert.equal(routes.disjointPair('e'), undefined)
  })
})
