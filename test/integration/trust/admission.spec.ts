import assert from 'node:assert/strict'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import type { Identity } from '../../../node/identity/keys.ts'
import { loadOrCreateIdentity } from '../../../node/identity/keys.ts'
import type { MeshNode } from '../../../simulator/runner/mesh.ts'
import { forgeEnvelope, text } from '../helpers/forge.ts'
import { RoguePeer } from '../helpers/rogue-peer.ts'
import { TestMesh, waitFor } from '../helpers/test-mesh.ts'

/**
 * What a peer gets from a gateway when it tries the whole way in: dial, open a
 * custody stream, hand over an envelope. `admitted` only when an ack came back.
 */
async function tryInject(
  rogue: RoguePeer,
  node: MeshNode,
  src: { name: string; id: Identity },
  sealFor: Identity,
) {
  const env = await forgeEnvelope(
    src.id.privateKey,
    { src: src.name, dst: node.id },
    text(`injected by ${rogue.peerId}`),
    sealFor.sealing.publicKey,
  )
  try {
    const custody = await rogue.custody(node, 3_000)
    const ack = await custody.transfer(env, undefined, 3_000)
    custody.close()
    return { admitted: true, id: env.core.id, ack }
  } catch (err) {
    return { admitted: false, id: env.core.id, error: reason(err) }
  }
}

/** libp2p rejects some stream opens with a close event rather than an Error. */
function reason(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`
  const event = err as { type?: string; error?: Error }
  return `stream ${event.type ?? 'failed'}${event.error ? `: ${event.error.message}` : ''}`
}

describe('admission: only roster members that are configured neighbours get in', () => {
  let mesh: TestMesh
  const rogues: RoguePeer[] = []
  const ids = new Map<string, Identity>()
  const node = (name: string) => mesh.mesh.nodes.get(name)!
  const member = (name: string) => ({ name, id: ids.get(name)! })

  before(async () => {
    // carol and mallory are members whose gateways never start: tests borrow their keys.
    mesh = await TestMesh.create({
      nodes: ['alpha', 'bravo', 'carol', 'mallory'],
      links: [
        ['alpha', 'bravo'],
        ['mallory', 'alpha'],
        ['carol', 'bravo'],
      ],
    })
    for (const name of mesh.mesh.nodes.keys()) {
      ids.set(name, await loadOrCreateIdentity(join(node(name).dir, 'data')))
    }
    await Promise.all([mesh.gateway('alpha').start(), mesh.gateway('bravo').start()])
  })
  after(async () => {
    await Promise.all(rogues.map((r) => r.stop().catch(() => {})))
    await mesh.close()
  })

  const rogue = async (key?: Identity) => {
    const peer = await RoguePeer.start(key?.privateKey)
    rogues.push(peer)
    return peer
  }

  const connectedPeers = async (name: string) => {
    const res = await mesh.api(name, '/v1/peers')
    return (res.body as unknown as Array<{ peerId: string }>).map((p) => p.peerId)
  }

  test('a host whose key is in no roster can neither connect nor hand over an envelope', async (t) => {
    const outsider = await rogue()
    // It carries a valid envelope of mallory's (as if captured): only the gate can stop it.
    for (const target of ['alpha', 'bravo']) {
      const attempt = await tryInject(outsider, node(target), member('mallory'), ids.get(target)!)
      assert.equal(
        attempt.admitted,
        false,
        `${target} acked an outsider: ${JSON.stringify(attempt)}`,
      )
      t.diagnostic(`${target} refused the outsider: ${attempt.error}`)
      assert.ok(!(await connectedPeers(target)).includes(outsider.peerId), `${target} kept it`)
    }
    await new Promise((r) => setTimeout(r, 500))
    assert.equal(mesh.service.arrivals.length, 0, 'nothing from the outsider was delivered')
    const open = outsider.host.getConnections().filter((c) => c.status === 'open')
    assert.equal(open.length, 0, 'the outsider holds no open connection')
  })

  test('a member that is not a configured neighbour is refused in static discovery', async (t) => {
    const carolKey = await rogue(ids.get('carol'))
    const refused = await tryInject(carolKey, node('alpha'), member('carol'), ids.get('alpha')!)
    assert.equal(refused.admitted, false, `alpha admitted carol: ${JSON.stringify(refused)}`)
    t.diagnostic(`alpha refused carol: ${refused.error}`)
    assert.ok(!(await connectedPeers('alpha')).includes(carolKey.peerId))
    // The same key reaches bravo, whose neighbour carol is: the refusal above is alpha's gate.
    const conn = await carolKey.dial(node('bravo'))
    assert.equal(conn.status, 'open')
    assert.ok(
      await waitFor(async () => (await connectedPeers('bravo')).includes(carolKey.peerId), 5_000),
    )
  })

  test('the same client with a neighbour member key is admitted, so the refusals are the gate', async () => {
    const malloryKey = await rogue(ids.get('mallory'))
    const attempt = await tryInject(malloryKey, node('alpha'), member('mallory'), ids.get('alpha')!)
    assert.equal(attempt.admitted, true, JSON.stringify(attempt))
    assert.equal(attempt.ack?.result, 'accepted')
    const delivered = await waitFor(() => mesh.service.counts('alpha').has(attempt.id), 10_000)
    assert.ok(delivered, 'an envelope from an admitted member is delivered')
  })
})
