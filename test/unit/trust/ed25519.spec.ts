import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { signEd25519, verifyEd25519 } from '../../../node/trust/ed25519.ts'

describe('Ed25519 with cached key objects', () => {
  test('signatures interoperate with the libp2p key classes both ways', async () => {
    const key = await generateKeyPair('Ed25519')
    const data = new TextEncoder().encode('lifeline')
    const ours = signEd25519(key, data)
    assert.equal(await key.publicKey.verify(data, ours), true)
    const theirs = await key.sign(data)
    assert.equal(verifyEd25519(key.publicKey, data, theirs), true)
    assert.deepEqual(ours, new Uint8Array(theirs), 'Ed25519 is deterministic')
  })

  test('a changed byte, another key or a malformed signature does not verify', async () => {
    const key = await generateKeyPair('Ed25519')
    const other = await generateKeyPair('Ed25519')
    const data = new TextEncoder().encode('lifeline')
    const sig = signEd25519(key, data)
    assert.equal(verifyEd25519(key.publicKey, new TextEncoder().encode('lifelinE'), sig), false)
    assert.equal(verifyEd25519(other.publicKey, data, sig), false)
    assert.equal(verifyEd25519(key.publicKey, data, sig.subarray(0, 63)), false)
    const flipped = sig.slice()
    flipped[10]! ^= 1
    assert.equal(verifyEd25519(key.publicKey, data, flipped), false)
  })
})
