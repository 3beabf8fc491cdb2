import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import {
  decodeEnvelope,
  type Envelope,
  encodeCore,
  encodeEnvelope,
} from '../../../node/core/envelope.ts'
import { isLifelineError } from '../../../node/core/errors.ts'
import {
  buildEnvelope,
  type EnvelopeDraft,
  openEnvelope,
  verifyEnvelope,
} from '../../../node/trust/envelope-signing.ts'
import { generateSealingKeyPair } from '../../../node/trust/seal.ts'
import { makeFederation, T0 } from './fixtures.ts'

const fed = await makeFederation()
const { roster, clinic, records, school } = fed
const NOW = T0 + 60_000
const window = { now: NOW, maxSkewMs: 5_000, maxAgeMs: 3_600_000 }
const plaintext = new TextEncoder().encode('patient 42: allergy to penicillin')

function draft(overrides: Partial<EnvelopeDraft> = {}): EnvelopeDraft {
  return {
    kind: 'message',
    src: 'ee/clinic',
    dst: 'ee/records',
    service: 'records',
    priority: 'normal',
    createdAt: NOW,
    expiresAt: NOW + 3_600_000,
    ...overrides,
  }
}

function sealedFromClinic(overrides: Partial<EnvelopeDraft> = {}): Promise<Envelope> {
  return buildEnvelope(draft(overrides), plaintext, {
    signer: clinic.signer,
    recipientSealingKey: roster.sealingKey('ee/records'),
    maxHops: 8,
  })
}

async function assertRejected(env: Envelope, code: string, pattern: RegExp): Promise<void> {
  await assert.rejects(verifyEnvelope(env, roster, window), (err) => {
    assert.ok(isLifelineError(err), String(err))
    assert.equal(err.code, code)
    assert.match(err.message, pattern)
    return true
  })
}

describe('envelope signing', () => {
  test('a built envelope verifies, survives the wire codec and opens at the destination', async () => {
    const env = await sealedFromClinic()
    assert.equal(env.core.sealed, true)
    assert.deepEqual(env.route, { hops: 0, maxHops: 8, visited: ['ee/clinic'], copy: 0 })
    const wire = decodeEnvelope(encodeEnvelope(env))
    await verifyEnvelope(wire, roster, window)
    assert.deepEqual(openEnvelope(wire, records.sealing.privateKey), plaintext)
  })

  test('an unsealed envelope carries the plaintext and still verifies', async () => {
    const env = await buildEnvelope(draft(), plaintext, { signer: clinic.signer, maxHops: 4 })
    assert.equal(env.core.sealed, false)
    await verifyEnvelope(env, roster, window)
    assert.deepEqual(openEnvelope(env, new Uint8Array(32)), plaintext)
  })

  test('optional fields, the path hint and the copy number are carried', async () => {
    const ref = (await sealedFromClinic()).core.id
    const env = await buildEnvelope(draft({ kind: 'reply', ref, expectReply: false }), plaintext, {
      signer: clinic.signer,
      maxHops: 4,
      via: ['ee/school', 'ee/records'],
      copy: 1,
    })
    assert.equal(env.core.ref, ref)
    assert.equal(env.core.expectReply, false)
    assert.deepEqual(env.route.via, ['ee/school', 'ee/records'])
    assert.equal(env.route.copy, 1)
    await verifyEnvelope(decodeEnvelope(encodeEnvelope(env)), roster, window)
  })

  test('relays may rewrite the route header without breaking the signature', async () => {
    const env = await sealedFromClinic()
    env.route = { hops: 3, maxHops: 8, visited: ['ee/clinic', 'ee/school'], copy: 1 }
    await verifyEnvelope(decodeEnvelope(encodeEnvelope(env)), roster, window)
  })

  test('a core changed after signing fails with BAD_SIGNATURE', async () => {
    const env = await sealedFromClinic()
    env.core = { ...env.core, service: 'archive' }
    await assertRejected(env, 'BAD_SIGNATURE', /core differs/)
    env.coreBytes = encodeCore(env.core)
    await assertRejected(env, 'BAD_SIGNATURE', /signature does not verify/)
  })

  test('a payload changed after signing fails with BAD_SIGNATURE', async () => {
    const env = await sealedFromClinic()
    env.payload[env.payload.length - 1]! ^= 0x80
    await assertRejected(env, 'BAD_SIGNATURE', /signature/)
  })

  test('an envelope claiming another member as source fails with BAD_SIGNATURE', async () => {
    const forged = await buildEnvelope(draft({ src: 'ee/clinic' }), plaintext, {
      signer: school.signer,
      maxHops: 4,
    })
    await assertRejected(forged, 'BAD_SIGNATURE', /ee\/clinic's key/)
  })

  test('a truncated signature fails with BAD_SIGNATURE', async () => {
    const env = await sealedFromClinic()
    env.sig = env.sig.subarray(0, 63)
    await assertRejected(env, 'BAD_SIGNATURE', /signature/)
  })

  test('an envelope from a gateway outside the roster fails with FORBIDDEN', async () => {
    const env = await buildEnvelope(draft({ src: 'xx/rogue' }), plaintext, {
      signer: school.signer,
      maxHops: 4,
    })
    await assertRejected(env, 'FORBIDDEN', /xx\/rogue is not a member/)
  })

  test('createdAt is accepted within the skew and refused beyond it with REPLAYED', async () => {
    await verifyEnvelope(await sealedFromClinic({ createdAt: NOW + 5_000 }), roster, window)
    const ahead = await sealedFromClinic({ createdAt: NOW + 5_001, expiresAt: NOW + 10_000 })
    await assertRejected(ahead, 'REPLAYED', /in the future/)
  })

  test('an envelope older than the maximum age fails with REPLAYED', async () => {
    await verifyEnvelope(await sealedFromClinic({ createdAt: NOW - 3_600_000 }), roster, window)
    const old = await sealedFromClinic({ createdAt: NOW - 3_600_001 })
    await assertRejected(old, 'REPLAYED', /older than/)
  })

  test('an envelope that expires before it was created fails with DECODE_FAILED', async () => {
    const env = await sealedFromClinic({ expiresAt: NOW - 1 })
    await assertRejected(env, 'DECODE_FAILED', /expiresAt/)
  })

  test('a receipt without ref fails with DECODE_FAILED', async () => {
    const env = await sealedFromClinic({ kind: 'receipt', service: '' })
    await assertRejected(env, 'DECODE_FAILED', /ref/)
  })

  test('the payload opens only with the destination secret', async () => {
    const env = await sealedFromClinic()
    assert.throws(
      () => openEnvelope(env, generateSealingKeyPair().privateKey),
      (err) => isLifelineError(err, 'DECRYPT_FAILED'),
    )
    assert.throws(
      () => openEnvelope(env, school.sealing.privateKey),
      (err) => isLifelineError(err, 'DECRYPT_FAILED'),
    )
  })

  test('a sealed payload moved under another signed core does not open', async () => {
    const original = await sealedFromClinic()
    // The source itself re-signs the payload under a new core: the signature is
    // good, but the payload was sealed for the old core bytes.
    const moved = await buildEnvelope(draft({ service: 'archive' }), new Uint8Array(), {
      signer: clinic.signer,
      recipientSealingKey: roster.sealingKey('ee/records'),
      maxHops: 8,
    })
    moved.payload = original.payload
    assert.throws(
      () => openEnvelope(moved, records.sealing.privateKey),
      (err) => isLifelineError(err, 'DECRYPT_FAILED'),
    )
  })
})
