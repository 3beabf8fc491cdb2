import assert from 'node:assert/strict'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { decodeEnvelope, type Envelope } from '../../../node/core/envelope.ts'
import { type Identity, loadOrCreateIdentity } from '../../../node/identity/keys.ts'
import { forgeEnvelope, forgeReceipt, text } from '../helpers/forge.ts'
import { metric, rejected, statusOf } from '../helpers/metrics-reader.ts'
import { type CustodyClient, RoguePeer } from '../helpers/rogue-peer.ts'
import { TestMesh, waitFor } from '../helpers/test-mesh.ts'

const DAY_MS = 24 * 3_600_000

/** The envelope with one byte of its signed core or payload changed after signing. */
function tamper(env: Envelope, part: 'payload' | 'core'): Envelope {
  if (part === 'payload') {
    const payload = env.payload.slice()
    payload[payload.length - 1]! ^= 0x01
    return { ...env, payload }
  }
  const core = new TextDecoder().decode(env.coreBytes).replace('"normal"', '"critical"')
  assert.notEqual(core, new TextDecoder().decode(env.coreBytes), 'the core was changed')
  return { ...env, coreBytes: new TextEncoder().encode(core) }
}

describe('custody intake refuses forged envelopes from a member gone bad', () => {
  let mesh: TestMesh
  let mallory: RoguePeer
  let custody: CustodyClient
  const ids = new Map<string, Identity>()

  before(async () => {
    // mallory is in the roster and a neighbour of alpha; its gateway never runs: the test
    // speaks the custody protocol with its key instead.
    mesh = await TestMesh.create({
      nodes: ['alpha', 'bravo', 'mallory'],
      links: [
        ['alpha', 'bravo'],
        ['mallory', 'alpha'],
      ],
    })
    for (const node of mesh.mesh.nodes.values()) {
      ids.set(node.id, await loadOrCreateIdentity(join(node.dir, 'data')))
    }
    await Promise.all([mesh.gateway('alpha').start(), mesh.gateway('bravo').start()])
    mallory = await RoguePeer.start(ids.get('mallory')!.privateKey)
    custody = await mallory.custody(mesh.mesh.nodes.get('alpha')!)
  })
  after(async () => {
    custody?.close()
    await mallory?.stop().catch(() => {})
    await mesh.close()
  })

  /** An envelope from mallory to alpha's inbox, sealed for alpha as a gateway would. */
  const fromMallory = (body: string, draft: { createdAt?: number; expiresAt?: number } = {}) =>
    forgeEnvelope(
      ids.get('mallory')!.privateKey,
      { src: 'mallory', dst: 'alpha', ...draft },
      text(body),
      ids.get('alpha')!.sealing.publicKey,
    )

  test('a genuine envelope over the same stream is taken and delivered (control)', async () => {
    const env = await fromMallory('genuine')
    const ack = await custody.transfer(env)
    assert.equal(ack.result, 'accepted', JSON.stringify(ack))
    assert.ok(await waitFor(() => mesh.service.counts('alpha').has(env.core.id), 10_000))
  })

  test('tampered and impersonating envelopes are rejected as BAD_SIGNATURE and counted', async () => {
    const before = await rejected(mesh, 'alpha', 'BAD_SIGNATURE')
    const forged = [
      tamper(await fromMallory('payload changed in transit'), 'payload'),
      tamper(await fromMallory('core changed in transit'), 'core'),
      // Signed with mallory's key in bravo's name.
      await forgeEnvelope(
        ids.get('mallory')!.privateKey,
        { src: 'bravo', dst: 'alpha' },
        text('impersonating bravo'),
        ids.get('alpha')!.sealing.publicKey,
      ),
    ]
    for (const env of forged) {
      const ack = await custody.transfer(env)
      assert.equal(ack.result, 'rejected', JSON.stringify(ack))
      assert.equal(ack.code, 'BAD_SIGNATURE')
    }
    assert.equal(await rejected(mesh, 'alpha', 'BAD_SIGNATURE'), before + forged.length)
    await new Promise((r) => setTimeout(r, 300))
    for (const env of forged) assert.ok(!mesh.service.counts('alpha').has(env.core.id))
  })

  test('a replayed envelope is never delivered twice and a stale one is rejected as REPLAYED', async () => {
    const env = await fromMallory('replay me')
    assert.equal((await custody.transfer(env)).result, 'accepted')
    assert.ok(await waitFor(() => mesh.service.counts('alpha').has(env.core.id), 10_000))
    const duplicatesBefore = await metric(mesh, 'alpha', 'lifeline_duplicates_suppressed_total')
    const again = await custody.transfer(env)
    assert.equal(again.result, 'duplicate', JSON.stringify(again))
    assert.equal(
      await metric(mesh, 'alpha', 'lifeline_duplicates_suppressed_total'),
      duplicatesBefore + 1,
    )

    // Envelopes from outside the accepted time window, with an expiry still ahead.
    const replayedBefore = await rejected(mesh, 'alpha', 'REPLAYED')
    const now = Date.now()
    const stale = await fromMallory('captured weeks ago', {
      createdAt: now - 40 * DAY_MS,
      expiresAt: now + DAY_MS,
    })
    const future = await fromMallory('dated ahead', { createdAt: now + DAY_MS })
    for (const old of [stale, future]) {
      const ack = await custody.transfer(old)
      assert.equal(ack.result, 'rejected', JSON.stringify(ack))
      assert.equal(ack.code, 'REPLAYED')
    }
    assert.equal(await rejected(mesh, 'alpha', 'REPLAYED'), replayedBefore + 2)
    await new Promise((r) => setTimeout(r, 500))
    assert.equal(mesh.service.counts('alpha').get(env.core.id), 1, 'the replay was not delivered')
    assert.ok(!mesh.service.counts('alpha').has(stale.core.id))
    assert.ok(!mesh.service.counts('alpha').has(future.core.id))
  })

  test('a forged receipt changes no status and is counted; the real receipt still lands', async () => {
    mesh.service.failWith = 503
    try {
      const sent = await mesh.send('alpha', 'bravo', 'awaiting a receipt')
      assert.equal(sent.status, 202)
      const id = sent.body.id as string
      const inTransit = async () => (await statusOf(mesh, 'alpha', id)).status === 'in-transit'
      assert.ok(await waitFor(inTransit, 10_000), 'bravo took custody')

      const badSignature = await rejected(mesh, 'alpha', 'BAD_SIGNATURE')
      const signer = ids.get('mallory')!.privateKey
      // In bravo's name with mallory's key: the signature cannot verify.
      const posing = await custody.transfer(await forgeReceipt(signer, 'bravo', 'alpha', id))
      assert.equal(posing.result, 'rejected')
      assert.equal(posing.code, 'BAD_SIGNATURE')
      assert.equal(await rejected(mesh, 'alpha', 'BAD_SIGNATURE'), badSignature + 1)
      // In its own name: a valid signature, but mallory is not where the message went.
      const own = await custody.transfer(await forgeReceipt(signer, 'mallory', 'alpha', id))
      assert.equal(own.result, 'accepted', 'taken into custody, then judged by the receipt inbox')
      assert.ok(
        await waitFor(async () => (await rejected(mesh, 'alpha', 'FORGED_RECEIPT')) === 1, 5_000),
      )
      assert.equal((await statusOf(mesh, 'alpha', id)).status, 'in-transit')

      mesh.service.failWith = undefined
      const delivered = async () => (await statusOf(mesh, 'alpha', id)).status === 'delivered'
      assert.ok(await waitFor(delivered, 15_000), 'the genuine receipt arrived')
      const record = await statusOf(mesh, 'alpha', id)
      const receipt = decodeEnvelope(Buffer.from(record.receipt.envelope, 'base64'))
      assert.equal(receipt.core.src, 'bravo', 'the receipt kept is the one bravo signed')
    } finally {
      mesh.service.failWith = undefined
    }
  })
})
