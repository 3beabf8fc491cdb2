import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { chacha20poly1305 } from '@noble/ciphers/chacha.js'
import { x25519 } from '@noble/curves/ed25519.js'
import { hkdf } from '@noble/hashes/hkdf.js'
import { sha256 } from '@noble/hashes/sha2.js'
import fc from 'fast-check'
import { isLifelineError } from '../../../node/core/errors.ts'
import {
  generateSealingKeyPair,
  openPayload,
  SEAL_INFO,
  SEAL_OVERHEAD,
  sealPayload,
} from '../../../node/trust/seal.ts'
import { importSecret, x25519Agree, x25519KeyPair } from '../../../node/trust/x25519.ts'

const recipient = generateSealingKeyPair()
const aad = new TextEncoder().encode('{"id":"core"}')

/** The same construction written with @noble only: the reference the native code must match. */
function referenceKey(shared: Uint8Array, ephemeral: Uint8Array, recipientPublic: Uint8Array) {
  const salt = new Uint8Array([...ephemeral, ...recipientPublic])
  const okm = hkdf(sha256, shared, salt, new TextEncoder().encode(SEAL_INFO), 44)
  return { key: okm.subarray(0, 32), nonce: okm.subarray(32) }
}

function referenceOpen(sealed: Uint8Array, secret: Uint8Array, ad: Uint8Array): Uint8Array {
  const ephemeral = sealed.subarray(1, 33)
  const shared = x25519.getSharedSecret(secret, ephemeral)
  const { key, nonce } = referenceKey(shared, ephemeral, x25519.getPublicKey(secret))
  return chacha20poly1305(key, nonce, ad).decrypt(sealed.subarray(33))
}

function referenceSeal(plain: Uint8Array, recipientPublic: Uint8Array, ad: Uint8Array) {
  const secret = x25519.utils.randomSecretKey()
  const ephemeral = x25519.getPublicKey(secret)
  const { key, nonce } = referenceKey(
    x25519.getSharedSecret(secret, recipientPublic),
    ephemeral,
    recipientPublic,
  )
  return new Uint8Array([1, ...ephemeral, ...chacha20poly1305(key, nonce, ad).encrypt(plain)])
}

function assertDecryptFailed(fn: () => unknown): void {
  assert.throws(fn, (err) => isLifelineError(err, 'DECRYPT_FAILED'))
}

describe('payload sealing', () => {
  test('a sealed payload opens with the recipient secret and the same associated data', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 4096 }),
        fc.uint8Array({ maxLength: 256 }),
        (plain, ad) => {
          const sealed = sealPayload(plain, recipient.publicKey, ad)
          assert.equal(sealed.length, plain.length + SEAL_OVERHEAD)
          assert.deepEqual(openPayload(sealed, recipient.privateKey, ad), plain)
        },
      ),
      { numRuns: 100 },
    )
  })

  test('sealed payloads match an independent implementation of the construction both ways', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 2048 }),
        fc.uint8Array({ maxLength: 64 }),
        (plain, ad) => {
          const sealed = sealPayload(plain, recipient.publicKey, ad)
          assert.deepEqual(referenceOpen(sealed, recipient.privateKey, ad), plain)
          const theirs = referenceSeal(plain, recipient.publicKey, ad)
          assert.deepEqual(openPayload(theirs, recipient.privateKey, ad), plain)
        },
      ),
      { numRuns: 20 },
    )
  })

  test('native X25519 computes the same keys and secrets as the reference', () => {
    const a = x25519KeyPair()
    const b = x25519.utils.randomSecretKey()
    assert.deepEqual(a.publicKey, x25519.getPublicKey(a.privateKey))
    assert.deepEqual(importSecret(b).publicKey, x25519.getPublicKey(b))
    assert.deepEqual(
      x25519Agree(importSecret(b), a.publicKey),
      x25519.getSharedSecret(a.privateKey, x25519.getPublicKey(b)),
    )
  })

  test('sealing the same plaintext twice gives unrelated bytes (fresh ephemeral key)', () => {
    const plain = new TextEncoder().encode('same message')
    const a = sealPayload(plain, recipient.publicKey, aad)
    const b = sealPayload(plain, recipient.publicKey, aad)
    assert.notDeepEqual(a, b)
    assert.notDeepEqual(a.subarray(1, 33), b.subarray(1, 33))
  })

  test('the ciphertext does not contain the plaintext', () => {
    const plain = new TextEncoder().encode('secret tax record '.repeat(8))
    const sealed = Buffer.from(sealPayload(plain, recipient.publicKey, aad))
    assert.equal(sealed.indexOf(Buffer.from('secret tax record')), -1)
  })

  test('opening with another gateway secret fails with DECRYPT_FAILED', () => {
    const sealed = sealPayload(new Uint8Array([1, 2, 3]), recipient.publicKey, aad)
    assertDecryptFailed(() => openPayload(sealed, generateSealingKeyPair().privateKey, aad))
  })

  test('opening with changed associated data fails with DECRYPT_FAILED', () => {
    const sealed = sealPayload(new Uint8Array([1, 2, 3]), recipient.publicKey, aad)
    const other = aad.slice()
    other[3] = other[3]! ^ 1
    assertDecryptFailed(() => openPayload(sealed, recipient.privateKey, other))
    assertDecryptFailed(() => openPayload(sealed, recipient.privateKey, new Uint8Array()))
  })

  test('any flipped bit in a sealed payload makes it fail with DECRYPT_FAILED', () => {
    const sealed = sealPayload(new TextEncoder().encode('hello'), recipient.publicKey, aad)
    fc.assert(
      fc.property(fc.nat({ max: sealed.length * 8 - 1 }), (bit) => {
        const bad = sealed.slice()
        bad[bit >> 3] = bad[bit >> 3]! ^ (1 << (bit & 7))
        assertDecryptFailed(() => openPayload(bad, recipient.privateKey, aad))
      }),
      { numRuns: 200 },
    )
  })

  test('truncated sealed payloads fail with DECRYPT_FAILED', () => {
    const sealed = sealPayload(new TextEncoder().encode('hello'), recipient.publicKey, aad)
    for (let len = 0; len < sealed.length; len++) {
      assertDecryptFailed(() => openPayload(sealed.subarray(0, len), recipient.privateKey, aad))
    }
  })

  test('a recipient key of the wrong size or low order is refused when sealing', () => {
    const plain = new Uint8Array([1])
    assert.throws(
      () => sealPayload(plain, new Uint8Array(31), aad),
      (err) => isLifelineError(err, 'INVALID_CONFIG'),
    )
    // u = 0 is a point of small order: agreeing on it would give an all-zero secret.
    assert.throws(
      () => sealPayload(plain, new Uint8Array(32), aad),
      (err) => isLifelineError(err, 'INVALID_CONFIG'),
    )
  })
})
