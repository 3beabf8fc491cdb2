import assert from 'node:assert/strict'
import { readFile, writeFile } from 'node:fs/promises'
import { after, before, describe, test } from 'node:test'
import { parse, stringify } from 'yaml'
import { TestMesh, waitFor } from '../helpers/test-mesh.ts'

/** Adds a neighbour known by roster name alone (no address) to a node's config. */
async function addNameOnlyNeighbour(mesh: TestMesh, node: string, neighbour: string) {
  const file = mesh.mesh.nodes.get(node)!.configFile
  const config = parse(await readFile(file, 'utf8'))
  config.neighbours.push({ name: neighbour })
  await writeFile(file, stringify(config))
}

async function linkUp(mesh: TestMesh, node: string, peer: string): Promise<boolean> {
  const links = (await mesh.api(node, '/v1/links')).body as Array<{ peer: string; up: boolean }>
  return links.find((l) => l.peer === peer)?.up === true
}

/**
 * a and c each know only b's address. a also lists c as a neighbour by name
 * alone: its address must come from the private DHT, through b.
 */
describe('private DHT discovery', () => {
  let mesh: TestMesh
  before(async () => {
    mesh = await TestMesh.create({
      nodes: ['a', 'b', 'c'],
      links: [
        ['a', 'b'],
        ['c', 'b'],
      ],
      gateway: { discovery: 'dht' },
    })
    await addNameOnlyNeighbour(mesh, 'a', 'c')
    await addNameOnlyNeighbour(mesh, 'c', 'a')
  })
  after(() => mesh.close())

  test('a neighbour configured by peer id alone is found through the DHT and linked directly', async () => {
    await mesh.gateway('b').start()
    await mesh.gateway('c').start()
    await mesh.gateway('a').start()
    const found = await waitFor(() => linkUp(mesh, 'a', 'c'), 30_000)
    assert.ok(found, 'a never reached c through a DHT lookup')
    // Whichever side dialled first, it dialled the other's own listen address, which only
    // the DHT could have told it: neither config holds an address for the other.
    const dialled = async (from: string, to: string) => {
      const peers = (await mesh.api(from, '/v1/peers')).body as Array<{
        name: string
        address: string
      }>
      const port = mesh.mesh.nodes.get(to)!.p2pPort
      return peers.some((p) => p.name === to && p.address.includes(`/tcp/${port}/`))
    }
    assert.ok(
      (await dialled('a', 'c')) || (await dialled('c', 'a')),
      'neither a nor c reached the other at its listen address',
    )
  })

  test('a member that comes back at a new address is found again', async () => {
    const node = mesh.mesh.nodes.get('c')!
    await mesh.gateway('c').stop()
    const config = parse(await readFile(node.configFile, 'utf8'))
    const moved = node.p2pPort + 7
    config.listen = [`/ip4/127.0.0.1/tcp/${moved}`]
    await writeFile(node.configFile, stringify(config))
    await mesh.gateway('c').start()
    // Neither side has an address for the other: only the DHT can bring the link back.
    const found = await waitFor(() => linkUp(mesh, 'a', 'c'), 40_000)
    assert.ok(found, 'a and c never found each other again after c moved')
    const sent = await mesh.send('a', 'c', 'found you')
    assert.equal(sent.status, 202)
    const arrived = await waitFor(() => mesh.service.counts('c').has(sent.body.id), 15_000)
    assert.ok(arrived)
  })
})
