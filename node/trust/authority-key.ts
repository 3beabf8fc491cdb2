import { join } from 'node:path'
import { ed25519 } from '@noble/curves/ed25519.js'
import { LifelineError } from '../core/errors.ts'
import { ensurePrivateDir, readPrivateFile, writeFileAtomic } from '../identity/private-files.ts'

/** File names `authority-init` writes: the secret (owner-only) and the public key. */
export const AUTHORITY_SECRET_FILE = 'authority.key'
export const AUTHORITY_PUBLIC_FILE = 'authority.pub'

/**
 * The federation authority's Ed25519 key pair. It is a plain key, not a libp2p
 * identity: the authority signs rosters and never joins the overlay.
 */
export interface AuthorityKeyPair {
  /** The 32-byte secret seed. */
  secretKey: Uint8Array
  /** The 32-byte raw public key (what gateways put in `authorityKey` as base64). */
  publicKey: Uint8Array
}

export function generateAuthorityKey(): AuthorityKeyPair {
  const secretKey = ed25519.utils.randomSecretKey()
  return { secretKey, publicKey: ed25519.getPublicKey(secretKey) }
}

/** Decodes the base64 raw public key from a gateway's `authorityKey` setting. */
export function parseAuthorityKey(base64: string): Uint8Array {
  const bytes = decodeBase64Key(base64.trim())
  if (bytes === undefined) {
    throw new LifelineError(
      'INVALID_CONFIG',
      'authority key must be the base64 of a raw 32-byte Ed25519 public key',
    )
  }
  return bytes
}

export function encodeAuthorityKey(publicKey: Uint8Array): string {
  return Buffer.from(publicKey).toString('base64')
}

/**
 * Writes a new key pair into `dir`: the secret as base64 text with mode 0600,
 * the public key beside it. Refuses to overwrite an existing secret.
 */
export async function writeAuthorityKey(dir: string, key: AuthorityKeyPair): Promise<void> {
  await ensurePrivateDir(dir)
  const secret = `${Buffer.from(key.secretKey).toString('base64')}\n`
  try {
    await writeFileAtomic(join(dir, AUTHORITY_SECRET_FILE), secret, { overwrite: false })
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
    throw new LifelineError(
      'INVALID_CONFIG',
      `${join(dir, AUTHORITY_SECRET_FILE)} already exists; refusing to replace an authority key`,
    )
  }
  const pub = `${encodeAuthorityKey(key.publicKey)}\n`
  await writeFileAtomic(join(dir, AUTHORITY_PUBLIC_FILE), pub, { mode: 0o644 })
}

/** Reads an authority secret file written by {@link writeAuthorityKey} (must be 0600). */
export async function readAuthoritySecret(path: string): Promise<AuthorityKeyPair> {
  const text = new TextDecoder().decode(await readPrivateFile(path)).trim()
  const secretKey = decodeBase64Key(text)
  if (secretKey === undefined) {
    throw new LifelineError('INVALID_CONFIG', `${path} does not hold a base64 32-byte secret`)
  }
  return { secretKey, publicKey: ed25519.getPublicKey(secretKey) }
}

function decodeBase64Key(text: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9+/]{43}=$/.test(text)) return undefined
  return new Uint8Array(Buffer.from(text, 'base64'))
}
