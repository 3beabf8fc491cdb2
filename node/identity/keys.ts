import { join } from 'node:path'
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import type { Ed25519PrivateKey, PeerId } from '@libp2p/interface'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { x25519 } from '@noble/curves/ed25519.js'
import { LifelineError } from '../core/errors.ts'
import { ensurePrivateDir, exists, readPrivateFile, writeFileAtomic } from './private-files.ts'

/** File in the data directory holding the libp2p Ed25519 private key (protobuf encoded). */
export const IDENTITY_KEY_FILE = 'identity.key'
/** File in the data directory holding the raw 32-byte X25519 sealing secret. */
export const SEALING_KEY_FILE = 'sealing.key'

/** An X25519 key pair other gateways seal payloads for. */
export interface SealingKeyPair {
  publicKey: Uint8Array
  privateKey: Uint8Array
}

/** A gateway's keys: it signs with `privateKey`, is addressed by `peerId`, opens with `sealing`. */
export interface Identity {
  privateKey: Ed25519PrivateKey
  peerId: PeerId
  sealing: SealingKeyPair
}

/** The public half of an identity, as an authority enters it into the roster. */
export interface IdentityPublicInfo {
  peerId: string
  /** Base64 of the raw X25519 public sealing key. */
  encryptionKey: string
}

/**
 * Loads the identity kept in `dataDir`, creating whichever key is missing.
 * Keys are created owner-only and written atomically; two processes racing
 * on an empty directory end up with the same identity.
 */
export async function loadOrCreateIdentity(dataDir: string): Promise<Identity> {
  await ensurePrivateDir(dataDir)
  const privateKey = await loadOrCreate(join(dataDir, IDENTITY_KEY_FILE), newIdentityKeyFile, (b) =>
    decodeIdentityKey(b, dataDir),
  )
  const sealing = await loadOrCreate(join(dataDir, SEALING_KEY_FILE), newSealingKeyFile, (b) =>
    decodeSealingKey(b, dataDir),
  )
  return { privateKey, peerId: peerIdFromPrivateKey(privateKey), sealing }
}

/**
 * Creates a fresh identity in `dataDir`; refuses when either key file already
 * exists, so an operator cannot replace a gateway's identity by accident.
 */
export async function createIdentity(dataDir: string): Promise<Identity> {
  for (const file of [IDENTITY_KEY_FILE, SEALING_KEY_FILE]) {
    const path = join(dataDir, file)
    if (await exists(path)) {
      throw new LifelineError(
        'INVALID_CONFIG',
        `${path} already exists; refusing to overwrite an existing gateway identity`,
        { details: { path } },
      )
    }
  }
  return loadOrCreateIdentity(dataDir)
}

/** What the federation authority needs to list this gateway in the roster. */
export function identityPublicInfo(identity: Identity): IdentityPublicInfo {
  return {
    peerId: identity.peerId.toString(),
    encryptionKey: Buffer.from(identity.sealing.publicKey).toString('base64'),
  }
}

async function loadOrCreate<T>(
  path: string,
  create: () => Promise<Uint8Array>,
  decode: (bytes: Uint8Array) => T,
): Promise<T> {
  if (!(await exists(path))) {
    try {
      await writeFileAtomic(path, await create(), { overwrite: false })
    } catch (err) {
      // Another process won the race; its key is as good as ours.
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
    }
  }
  return decode(await readPrivateFile(path))
}

async function newIdentityKeyFile(): Promise<Uint8Array> {
  return privateKeyToProtobuf(await generateKeyPair('Ed25519'))
}

async function newSealingKeyFile(): Promise<Uint8Array> {
  return x25519.utils.randomSecretKey()
}

function decodeIdentityKey(bytes: Uint8Array, dataDir: string): Ed25519PrivateKey {
  let key: ReturnType<typeof privateKeyFromProtobuf>
  try {
    key = privateKeyFromProtobuf(bytes)
  } catch (err) {
    throw corrupt(IDENTITY_KEY_FILE, dataDir, 'it is not a libp2p private key', err)
  }
  if (key.type !== 'Ed25519') {
    throw corrupt(IDENTITY_KEY_FILE, dataDir, `it holds a ${key.type} key, not Ed25519`)
  }
  return key
}

function decodeSealingKey(bytes: Uint8Array, dataDir: string): SealingKeyPair {
  if (bytes.length !== 32) {
    throw corrupt(SEALING_KEY_FILE, dataDir, `it holds ${bytes.length} bytes, not 32`)
  }
  return { privateKey: bytes, publicKey: x25519.getPublicKey(bytes) }
}

function corrupt(file: string, dataDir: string, why: string, cause?: unknown): LifelineError {
  const path = join(dataDir, file)
  return new LifelineError('INVALID_CONFIG', `cannot load ${path}: ${why}`, {
    cause,
    details: { path },
  })
}
