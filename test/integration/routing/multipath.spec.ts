import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { TestMesh, waitFor } from '../helpers/test-mesh.ts'

/**
 * A ring a-b-c-d-e-a with a chord b-e. The e links are slow, so the best path
 * from a to d is the three-hop a-b-c-d; a-e-d and a-b-e-d are the fallbacks.
 */
const RING = {
  nodes: ['a', 'b', 'c', 'd', 'e'],
  links: [
    ['a', 'b'],
    ['b', 'c'],
    ['c', 'd'],
    ['d', 'e', 40],
    ['e', 'a', 40],
    ['b', 'e', 40],
  ] as Array<[string, string] | [string, string, number]>,
}

/** Sends `count` messages a→d at about `ratePerSecond`; returns the accepted ids. */
async function steady(mesh: TestMesh, count: number, ratePerSecond: number, extra = {}) {
  const ids: string[] = []
  for (let i = 0; i < count; i++) {
    const res = await mesh.send('a', 'd', `steady ${i}`, extra)
    assert.equal(res.status, 202, JSON.stringify(res.body))
    ids.push(res.body.id)
    await new Promise((r) => setTimeout(r, 1000 / ratePerSecond))
  }
  return ids
}

async function deliveredOnce(mesh: TestMesh, ids: string[], timeoutMs: number) {
  const ok = await waitFor(() => ids.every((id) => mesh.service.counts('d').has(id)), timeoutMs)
  const counts = mesh.service.counts('d')
  const missing = ids.filter((id) => !counts.has(id))
  assert.ok(ok, `${missing.length} of ${ids.length} not delivered`)
  const twice = ids.filter((id) => (counts.get(id) ?? 0) > 1)
  assert.deepEqual(twice, [], 'delivered more than once')
}

async function routeVia(mesh: TestMesh, node: string, dst: string): Promise<string | undefined> {
  const routes = await mesh.api(node, '/v1/routes')
  const entry = routes.body.destinations?.find(
    (d: { destination: string }) => d.destination === dst,
  )
  return entry?.nextHops?.[0]
}

describe('multi-hop routing on a ring with a chord', () => {
  let mesh: TestMesh
  before(async () => {
    mesh = await TestMesh.create({ ...RING, gateway: { retry: { initial: '100ms', max: '1s' } } })
    await mesh.startAll()
    const converged = await waitFor(async () => (await routeVia(mesh, 'a', 'd')) === 'b', 20_000)
    assert.ok(converged, 'a never learnt the three-hop route to d via b')
  })
  after(() => mesh.close())

  test('messages reach a gateway three hops away, each once', async () => {
    const ids = await steady(mesh, 30, 50)
    await deliveredOnce(mesh, ids, 15_000)
    const paths = async () =>
      (await mesh.api('a', '/v1/routes')).body.destinations.find(
        (d: { destination: string }) => d.destination === 'd',
      ).paths as Array<{ nodes: string[] }>
    const cheapest = await waitFor(
      async () => (await paths())[0]?.nodes.join() === 'a,b,c,d',
      15_000,
    )
    assert.ok(cheapest, `best path is ${(await paths())[0]?.nodes}, not the fast three-hop a,b,c,d`)
    const alternative = await waitFor(async () => (await paths()).length >= 2, 15_000)
    assert.ok(alternative, 'a disjoint alternative path is known')
  })

  test('a blackhole on the active path moves traffic to another path; every message arrives once', async () => {
    const sending = steady(mesh, 100, 40)
    await new Promise((r) => setTimeout(r, 800))
    const cutAt = Date.now()
    mesh.proxy('b-c').cut({ mode: 'blackhole', direction: 'both' })
    const ids = await sending
    await deliveredOnce(mesh, ids, 20_000)
    const after = mesh.service.arrivals.filter((x) => x.at > cutAt + 50)
    assert.ok(after.length > 0, 'nothing delivered after the cut')
    const rerouted = await routeVia(mesh, 'a', 'd')
    assert.notEqual(rerouted, undefined)
    const links = (await mesh.api('b', '/v1/links')).body as Array<{ peer: string; up: boolean }>
    assert.equal(
      links.find((l) => l.peer === 'c')?.up,
      false,
      'b still thinks the silent link is up',
    )
    mesh.proxy('b-c').restore()
  })

  test('a relay killed while holding custody loses nothing and duplicates nothing', async () => {
    mesh.proxy('c-d').cut({ mode: 'blackhole', direction: 'both' })
    // With c-d silent, messages pile up at the relays before routing moves them.
    const sending = steady(mesh, 60, 40)
    await new Promise((r) => setTimeout(r, 400))
    await mesh.gateway('c').powerLoss()
    await new Promise((r) => setTimeout(r, 1500))
    mesh.proxy('c-d').restore()
    await mesh.gateway('c').start()
    const ids = await sending
    await deliveredOnce(mesh, ids, 30_000)
  })

  test('a partitioned destination gets its backlog promptly after healing', async () => {
    for (const link of ['c-d', 'd-e']) mesh.proxy(link).cut({ mode: 'reset', direction: 'both' })
    await new Promise((r) => setTimeout(r, 1500))
    const ids = await steady(mesh, 20, 20)
    await new Promise((r) => setTimeout(r, 1000))
    assert.equal(
      ids.filter((id) => mesh.service.counts('d').has(id)).length,
      0,
      'd was not cut off',
    )
    const healedAt = Date.now()
    for (const link of ['c-d', 'd-e']) mesh.proxy(link).restore()
    await deliveredOnce(mesh, ids, 15_000)
    const last = Math.max(
      ...mesh.service.arrivals.filter((x) => ids.includes(x.id)).map((x) => x.at),
    )
    assert.ok(last - healedAt < 10_000, `backlog took ${last - healedAt} ms after healing`)
  })

  test('a critical message travels as two copies and is delivered once', async () => {
    const metric = async () => {
      const text = (await (await fetch(`${mesh.gateway('d').apiUrl}/metrics`)).text()) as string
      const line = text
        .split('\n')
        .find((l) => l.startsWith('lifeline_duplicates_suppressed_total'))
      return Number(line?.split(' ')[1] ?? 0)
    }
    const twoPaths = await waitFor(async () => {
      const entry = (await mesh.api('a', '/v1/routes')).body.destinations?.find(
        (d: { destination: string }) => d.destination === 'd',
      )
      return (entry?.paths?.length ?? 0) >= 2
    }, 20_000)
    assert.ok(twoPaths, 'a never had two disjoint paths to d again')
    const before = await metric()
    const ids = await steady(mesh, 10, 20, { priority: 'critical' })
    await deliveredOnce(mesh, ids, 15_000)
    const suppressed = await waitFor(async () => (await metric()) >= before + 5, 10_000)
    assert.ok(suppressed, 'second copies never reached d (no duplicate suppressed)')
  })
})
