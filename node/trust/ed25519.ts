import { createPrivateKey, createPublicKey, type KeyObject, sign, verify } from 'node:crypto'
import type { Ed25519PrivateKey, Ed25519PublicKey } from '@libp2p/interface'

/**
 * Ed25519 signatures on the hot path, done by the runtime's OpenSSL with key
 * objects built once per key. The libp2p key classes build a fresh key object
 * for every call, which cost more than the signature itself at message rates;
 * the bytes signed and checked are the same (RFC 8032), so signatures from
 * either side verify on the other.
 */

/** DER headers that wrap raw Ed25519 keys as PKCS#8 (private) or SPKI (public). */
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex')
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex')

const publicKeys = new WeakMap<Ed25519PublicKey, KeyObject>()
const privateKeys = new WeakMap<Ed25519PrivateKey, KeyObject>()

function publicKeyObject(key: Ed25519PublicKey): KeyObject {
  let object = publicKeys.get(key)
  if (object === undefined) {
    const der = Buffer.concat([SPKI_PREFIX, key.raw])
    object = createPublicKey({ key: der, format: 'der', type: 'spki' })
    publicKeys.set(key, object)
  }
  return object
}

function privateKeyObject(key: Ed25519PrivateKey): KeyObject {
  let object = privateKeys.get(key)
  if (object === undefined) {
    // libp2p keeps the 32-byte seed followed by the public key.
    const der = Buffer.concat([PKCS8_PREFIX, key.raw.subarray(0, 32)])
    object = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' })
    privateKeys.set(key, object)
  }
  return object
}

export function signEd25519(key: Ed25519PrivateKey, data: Uint8Array): Uint8Array {
  return new Uint8Array(sign(null, data, privateKeyObject(key)))
}

export function verifyEd25519(key: Ed25519PublicKey, data: Uint8Array, sig: Uint8Array): boolean {
  if (sig.length !== 64) return false
  try {
    return verify(null, data, publicKeyObject(key), sig)
  } catch {
    return false
  }
}
