import { createCipheriv, createDecipheriv, hkdfSync } from 'node:crypto'
import { LifelineError } from '../core/errors.ts'
import type { SealingKeyPair } from '../identity/keys.ts'
import {
  ephemeralSecret,
  importSecret,
  type X25519Secret,
  x25519Agree,
  x25519KeyPair,
} from './x25519.ts'

/**
 * Payload sealing for the destination gateway, in the manner of HPKE base mode
 * (RFC 9180) with one message per key: an ephemeral X25519 key agreement with
 * the recipient's static key, HKDF-SHA256 to derive a ChaCha20-Poly1305 key and
 * nonce, and the caller's associated data (the signed envelope core) bound into
 * the tag. A fresh ephemeral key per message means a key and nonce are never
 * reused. Relays see only the sealed bytes.
 *
 * The primitives are the runtime's (OpenSSL): X25519 there is about thirty
 * times faster than pure JS, which matters at two agreements per message. The
 * unit tests open these payloads with an independent @noble implementation of
 * the same construction.
 *
 * Sealed layout: version (1 byte) | ephemeral public key (32) | ciphertext | tag (16).
 */
const SEAL_VERSION = 1
const KEY_BYTES = 32
const NONCE_BYTES = 12
const TAG_BYTES = 16
const HEADER_BYTES = 1 + KEY_BYTES
/** Names the whole suite, so a key derived here is useless for any other construction. */
export const SEAL_INFO = 'lifeline/seal/v1 x25519 hkdf-sha256 chacha20-poly1305'

/** Bytes sealing adds to a payload. */
export const SEAL_OVERHEAD = HEADER_BYTES + TAG_BYTES

/** A fresh X25519 key pair for receiving sealed payloads. */
export function generateSealingKeyPair(): SealingKeyPair {
  return x25519KeyPair()
}

/** Encrypts `plaintext` so that only the holder of `recipientPublicKey`'s secret can open it. */
export function sealPayload(
  plaintext: Uint8Array,
  recipientPublicKey: Uint8Array,
  aad: Uint8Array,
): Uint8Array {
  const ephemeral = ephemeralSecret()
  let shared: Uint8Array
  try {
    shared = x25519Agree(ephemeral, recipientPublicKey, { cache: true })
  } catch (err) {
    throw new LifelineError('INVALID_CONFIG', 'recipient sealing key is not a usable X25519 key', {
      cause: err,
    })
  }
  const { key, nonce } = deriveKey(shared, ephemeral.publicKey, recipientPublicKey)
  const cipher = createCipheriv('chacha20-poly1305', key, nonce, { authTagLength: TAG_BYTES })
  cipher.setAAD(aad, { plaintextLength: plaintext.length })
  const out = new Uint8Array(HEADER_BYTES + plaintext.length + TAG_BYTES)
  out[0] = SEAL_VERSION
  out.set(ephemeral.publicKey, 1)
  const body = cipher.update(plaintext)
  const last = cipher.final()
  out.set(body, HEADER_BYTES)
  out.set(last, HEADER_BYTES + body.length)
  out.set(cipher.getAuthTag(), HEADER_BYTES + plaintext.length)
  return out
}

/**
 * Decrypts a sealed payload with the recipient's X25519 secret; throws
 * `DECRYPT_FAILED` when the bytes, the key or the associated data do not match.
 */
export function openPayload(
  sealed: Uint8Array,
  recipientSecretKey: Uint8Array,
  aad: Uint8Array,
): Uint8Array {
  if (sealed.length < SEAL_OVERHEAD) decryptFailed('sealed payload is too short')
  if (sealed[0] !== SEAL_VERSION) decryptFailed(`unsupported seal version ${sealed[0]}`)
  const ephemeralPublic = sealed.subarray(1, HEADER_BYTES)
  const tagAt = sealed.length - TAG_BYTES
  try {
    const secret = recipientSecret(recipientSecretKey)
    const shared = x25519Agree(secret, ephemeralPublic)
    const { key, nonce } = deriveKey(shared, ephemeralPublic, secret.publicKey)
    const decipher = createDecipheriv('chacha20-poly1305', key, nonce, {
      authTagLength: TAG_BYTES,
    })
    decipher.setAuthTag(sealed.subarray(tagAt))
    decipher.setAAD(aad, { plaintextLength: tagAt - HEADER_BYTES })
    const body = decipher.update(sealed.subarray(HEADER_BYTES, tagAt))
    return new Uint8Array(Buffer.concat([body, decipher.final()]))
  } catch (err) {
    return decryptFailed('authentication failed (wrong key, altered payload or altered core)', err)
  }
}

function deriveKey(
  shared: Uint8Array,
  ephemeralPublic: Uint8Array,
  recipientPublic: Uint8Array,
): { key: Uint8Array; nonce: Uint8Array } {
  // Both public keys go into the salt so the derived key is bound to this exact exchange.
  const salt = Buffer.concat([ephemeralPublic, recipientPublic])
  const okm = new Uint8Array(hkdfSync('sha256', shared, salt, SEAL_INFO, KEY_BYTES + NONCE_BYTES))
  return { key: okm.subarray(0, KEY_BYTES), nonce: okm.subarray(KEY_BYTES) }
}

/**
 * A gateway opens everything with the one secret array of its identity, so the
 * imported key is remembered per array object (no copy of the secret is kept).
 */
const secrets = new WeakMap<Uint8Array, X25519Secret>()

function recipientSecret(raw: Uint8Array): X25519Secret {
  let secret = secrets.get(raw)
  if (secret === undefined) {
    secret = importSecret(raw)
    secrets.set(raw, secret)
  }
  return secret
}

function decryptFailed(reason: string, cause?: unknown): never {
  throw new LifelineError('DECRYPT_FAILED', `cannot open sealed payload: ${reason}`, { cause })
}
