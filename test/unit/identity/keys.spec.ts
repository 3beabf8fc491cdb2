import assert from 'node:assert/strict'
import { chmod, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import { isLifelineError } from '../../../node/core/errors.ts'
import {
  createIdentity,
  IDENTITY_KEY_FILE,
  identityPublicInfo,
  loadOrCreateIdentity,
  SEALING_KEY_FILE,
} from '../../../node/identity/keys.ts'
import { writeFileAtomic } from '../../../node/identity/private-files.ts'
import { openPayload, sealPayload } from '../../../node/trust/seal.ts'

const root = await mkdtemp(join(tmpdir(), 'lifeline-identity-'))
after(() => rm(root, { recursive: true, force: true }))
let n = 0
const freshDir = () => join(root, `gw${n++}`)

const modeOf = async (path: string) => (await stat(path)).mode & 0o777

describe('gateway identity', () => {
  test('a new identity is written owner-only and loads back unchanged', async () => {
    const dir = freshDir()
    const first = await loadOrCreateIdentity(dir)
    assert.equal(await modeOf(dir), 0o700)
    assert.equal(await modeOf(join(dir, IDENTITY_KEY_FILE)), 0o600)
    assert.equal(await modeOf(join(dir, SEALING_KEY_FILE)), 0o600)
    assert.deepEqual((await readdir(dir)).sort(), [IDENTITY_KEY_FILE, SEALING_KEY_FILE])
    const again = await loadOrCreateIdentity(dir)
    assert.ok(again.peerId.equals(first.peerId))
    assert.ok(again.privateKey.equals(first.privateKey))
    assert.deepEqual(again.sealing, first.sealing)
  })

  test('the identity signs as its peer id and opens what is sealed for it', async () => {
    const id = await loadOrCreateIdentity(freshDir())
    const data = new TextEncoder().encode('hello')
    const sig = await id.privateKey.sign(data)
    assert.ok(await id.peerId.publicKey?.verify(data, sig))
    const info = identityPublicInfo(id)
    assert.equal(info.peerId, id.peerId.toString())
    const sealed = sealPayload(data, Buffer.from(info.encryptionKey, 'base64'), new Uint8Array())
    assert.deepEqual(openPayload(sealed, id.sealing.privateKey, new Uint8Array()), data)
  })

  test('gateways racing to create an identity in one directory agree on it', async () => {
    const dir = freshDir()
    const ids = await Promise.all([1, 2, 3, 4].map(() => loadOrCreateIdentity(dir)))
    for (const id of ids) assert.ok(id.peerId.equals(ids[0]!.peerId))
    assert.deepEqual((await readdir(dir)).sort(), [IDENTITY_KEY_FILE, SEALING_KEY_FILE])
  })

  test('createIdentity refuses to overwrite an existing identity', async () => {
    const dir = freshDir()
    const id = await createIdentity(dir)
    await assert.rejects(createIdentity(dir), (err) => {
      assert.ok(isLifelineError(err, 'INVALID_CONFIG'))
      assert.match(err.message, /refusing to overwrite/)
      return true
    })
    assert.ok((await loadOrCreateIdentity(dir)).peerId.equals(id.peerId))
  })

  test('a key file readable by group or others is refused with a chmod hint', async () => {
    const dir = freshDir()
    await loadOrCreateIdentity(dir)
    for (const [file, mode] of [
      [IDENTITY_KEY_FILE, 0o640],
      [SEALING_KEY_FILE, 0o604],
    ] as const) {
      const path = join(dir, file)
      await chmod(path, mode)
      await assert.rejects(loadOrCreateIdentity(dir), (err) => {
        assert.ok(isLifelineError(err, 'INVALID_CONFIG'))
        assert.match(err.message, new RegExp(`chmod 600 ${path}`))
        return true
      })
      await chmod(path, 0o600)
    }
    await loadOrCreateIdentity(dir)
  })

  test('a corrupt key file is refused with a message naming it', async () => {
    const dir = freshDir()
    await loadOrCreateIdentity(dir)
    await writeFile(join(dir, SEALING_KEY_FILE), new Uint8Array(31), { mode: 0o600 })
    await assert.rejects(loadOrCreateIdentity(dir), /sealing\.key: it holds 31 bytes/)
    await writeFile(join(dir, IDENTITY_KEY_FILE), 'garbage', { mode: 0o600 })
    await assert.rejects(loadOrCreateIdentity(dir), /identity\.key: it is not a libp2p private key/)
  })

  test('an atomic write without overwrite refuses an existing file and leaves no temp file', async () => {
    const dir = freshDir()
    await loadOrCreateIdentity(dir)
    const path = join(dir, 'x.bin')
    await writeFileAtomic(path, 'one', { overwrite: false })
    await assert.rejects(writeFileAtomic(path, 'two', { overwrite: false }), { code: 'EEXIST' })
    await writeFileAtomic(path, 'three', { mode: 0o640 })
    assert.equal(await modeOf(path), 0o640)
    assert.deepEqual((await readdir(dir)).sort(), [IDENTITY_KEY_FILE, SEALING_KEY_FILE, 'x.bin'])
  })
})
