import {
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto'

/**
 * X25519 (RFC 7748) on raw 32-byte keys, done by the runtime's OpenSSL. The
 * pure-JS ladder took about 1.2 ms per operation here against about 40 µs
 * native, and sealing needs two per message on each side; the function and
 * its bytes are the same (tests check them against @noble/curves).
 */

/** DER headers that wrap a raw X25519 key as PKCS#8 (private) or SPKI (public). */
const PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex')
const SPKI_PREFIX = Buffer.from('302a300506032b656e032100', 'hex')

export const X25519_KEY_BYTES = 32

export interface X25519KeyPair {
  privateKey: Uint8Array
  publicKey: Uint8Array
}

export function x25519KeyPair(): X25519KeyPair {
  const pair = generateKeyPairSync('x25519')
  return {
    privateKey: rawPrivate(pair.privateKey),
    publicKey: rawPublic(pair.publicKey),
  }
}

/** A private key object with its raw public key, for repeated use of one secret. */
export interface X25519Secret {
  key: KeyObject
  publicKey: Uint8Array
}

/** Imports a raw secret; throws RangeError when it is not 32 bytes. */
export function importSecret(secret: Uint8Array): X25519Secret {
  if (secret.length !== X25519_KEY_BYTES) throw new RangeError('X25519 secret must be 32 bytes')
  const key = createPrivateKey({
    key: Buffer.concat([PKCS8_PREFIX, secret]),
    format: 'der',
    type: 'pkcs8',
  })
  return { key, publicKey: rawPublic(createPublicKey(key)) }
}

/** A fresh key pair used once, kept as a key object (sealing never needs its raw secret). */
export function ephemeralSecret(): X25519Secret {
  const pair = generateKeyPairSync('x25519')
  return { key: pair.privateKey, publicKey: rawPublic(pair.publicKey) }
}

/**
 * The shared secret of `secret` and `peerPublic`. Throws when the peer key is
 * malformed or of small order (the result would be all zeros and predictable).
 */
export function x25519Agree(
  secret: X25519Secret,
  peerPublic: Uint8Array,
  options: { cache?: boolean } = {},
): Uint8Array {
  if (peerPublic.length !== X25519_KEY_BYTES) throw new RangeError('X25519 key must be 32 bytes')
  const publicKey = options.cache === true ? cachedPublic(peerPublic) : importPublic(peerPublic)
  const shared = diffieHellman({ privateKey: secret.key, publicKey })
  // OpenSSL already refuses an all-zero result; checking again costs nothing.
  if (shared.every((b) => b === 0)) throw new RangeError('X25519 peer key has small order')
  return new Uint8Array(shared)
}

function importPublic(raw: Uint8Array): KeyObject {
  return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' })
}

/**
 * Recipients' long-term keys, imported once: building a key object costs more
 * than the key agreement itself. Bounded by the roster's size in practice; the
 * cap only guards against a caller feeding it one-off keys.
 */
const publicKeys = new Map<string, KeyObject>()
const MAX_CACHED_KEYS = 4096

function cachedPublic(raw: Uint8Array): KeyObject {
  const id = Buffer.from(raw).toString('base64')
  let key = publicKeys.get(id)
  if (key === undefined) {
    if (publicKeys.size >= MAX_CACHED_KEYS) publicKeys.clear()
    key = importPublic(raw)
    publicKeys.set(id, key)
  }
  return key
}

function rawPrivate(key: KeyObject): Uint8Array {
  return new Uint8Array(key.export({ format: 'der', type: 'pkcs8' }).subarray(PKCS8_PREFIX.length))
}

function rawPublic(key: KeyObject): Uint8Array {
  return new Uint8Array(key.export({ format: 'der', type: 'spki' }).subarray(SPKI_PREFIX.length))
}
