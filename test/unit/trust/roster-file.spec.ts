import assert from 'node:assert/strict'
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import { isLifelineError } from '../../../node/core/errors.ts'
import { generateAuthorityKey } from '../../../node/trust/authority-key.ts'
import { signRoster } from '../../../node/trust/roster.ts'
import { loadRosterFile, saveRosterAtomically } from '../../../node/trust/roster-file.ts'
import { makeFederation } from './fixtures.ts'

const dir = await mkdtemp(join(tmpdir(), 'lifeline-roster-file-'))
after(() => rm(dir, { recursive: true, force: true }))
const fed = await makeFederation()

describe('roster file', () => {
  test('a saved roster loads back verified, and replacing it leaves no temp files', async () => {
    const path = join(dir, 'roster.json')
    await saveRosterAtomically(path, signRoster(fed.doc, fed.authority.secretKey))
    await saveRosterAtomically(
      path,
      signRoster({ ...fed.doc, version: 2 }, fed.authority.secretKey),
    )
    const roster = await loadRosterFile(path, fed.authority.publicKey)
    assert.equal(roster.version, 2)
    assert.deepEqual(await readdir(dir), ['roster.json'])
    assert.equal((await stat(path)).mode & 0o777, 0o644)
  })

  test('loading with the wrong authority key fails with BAD_SIGNATURE', async () => {
    const path = join(dir, 'other.json')
    await saveRosterAtomically(path, signRoster(fed.doc, fed.authority.secretKey))
    await assert.rejects(loadRosterFile(path, generateAuthorityKey().publicKey), (err) =>
      isLifelineError(err, 'BAD_SIGNATURE'),
    )
  })

  test('a missing or garbled file fails with a clear code', async () => {
    await assert.rejects(
      loadRosterFile(join(dir, 'missing.json'), fed.authority.publicKey),
      (err) => isLifelineError(err, 'INVALID_CONFIG'),
    )
    const garbled = join(dir, 'garbled.json')
    await writeFile(garbled, '{"roster": 1}')
    await assert.rejects(loadRosterFile(garbled, fed.authority.publicKey), (err) =>
      isLifelineError(err, 'DECODE_FAILED'),
    )
  })
})
