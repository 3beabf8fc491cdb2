import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { generateKey } from '@libp2p/pnet'
import { loadOrCreateIdentity } from '../../../node/identity/keys.ts'
import { statusOf } from '../helpers/metrics-reader.ts'
import { RoguePeer } from '../helpers/rogue-peer.ts'
import { editConfig } from '../helpers/test-authority.ts'
import { TestMesh, waitFor } from '../helpers/test-mesh.ts'

/** A fresh libp2p pre-shared key file (the swarm key text format). */
function swarmKey(): Uint8Array {
  const key = new Uint8Array(95)
  generateKey(key)
  return key
}

describe('a pre-shared key walls the overlay off', () => {
  let mesh: TestMesh
  const rogues: RoguePeer[] = []
  const federationKey = swarmKey()
  /** charlie's message that waits while charlie is walled out. */
  let waiting = ''
  const node = (name: string) => mesh.mesh.nodes.get(name)!

  /** Gives `name` the key file and points its config at it. */
  const useKey = async (name: string, key: Uint8Array) => {
    await writeFile(join(node(name).dir, 'swarm.key'), key, { mode: 0o600 })
    await editConfig(mesh, name, (config) => {
      config.pnetKey = 'swarm.key'
    })
  }

  const peersOf = async (name: string) =>
    ((await mesh.api(name, '/v1/peers')).body as unknown as Array<{ peerId: string }>).map(
      (p) => p.peerId,
    )

  before(async () => {
    // charlie is a member and bravo's configured neighbour: only its key differs.
    mesh = await TestMesh.create({
      nodes: ['alpha', 'bravo', 'charlie'],
      links: [
        ['alpha', 'bravo'],
        ['charlie', 'bravo'],
      ],
      gateway: { retry: { initial: '100ms', max: '1s' } },
    })
    await useKey('alpha', federationKey)
    await useKey('bravo', federationKey)
    await useKey('charlie', swarmKey())
    await mesh.startAll()
  })
  after(async () => {
    await Promise.all(rogues.map((r) => r.stop().catch(() => {})))
    await mesh.close()
  })

  test('two gateways sharing the key exchange messages', async () => {
    const res = await mesh.send('alpha', 'bravo', 'inside the wall')
    assert.equal(res.status, 202)
    assert.ok(await waitFor(() => mesh.service.counts('bravo').has(res.body.id), 15_000))
  })

  test('a gateway with another key, or a host with none, cannot connect', async () => {
    const res = await mesh.send('charlie', 'bravo', 'outside the wall')
    assert.equal(res.status, 202)
    waiting = res.body.id
    // charlie redials every few hundred ms; give it several attempts.
    await new Promise((r) => setTimeout(r, 3_000))
    assert.ok(!(await peersOf('bravo')).includes(node('charlie').peerId))
    assert.equal((await statusOf(mesh, 'charlie', res.body.id)).status, 'queued')
    assert.ok(!mesh.service.counts('bravo').has(res.body.id))

    const charlieId = await loadOrCreateIdentity(join(node('charlie').dir, 'data'))
    const keyless = await RoguePeer.start(charlieId.privateKey)
    rogues.push(keyless)
    await assert.rejects(keyless.dial(node('bravo'), 3_000), 'no key, no connection')
  })

  test('with the federation key charlie gets in and its queued message goes through', async () => {
    assert.ok(waiting !== '', 'the previous test left a message waiting')
    await mesh.gateway('charlie').stop()
    await useKey('charlie', federationKey)
    await mesh.gateway('charlie').start()
    const through = await waitFor(() => mesh.service.counts('bravo').has(waiting), 15_000)
    assert.ok(through, 'the only thing that kept charlie out was its key')
  })
})
