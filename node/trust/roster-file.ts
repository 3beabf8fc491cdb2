import { readFile } from 'node:fs/promises'
import { LifelineError } from '../core/errors.ts'
import { writeFileAtomic } from '../identity/private-files.ts'
import { type Roster, type SignedRoster, verifyRoster } from './roster.ts'

/** A signed roster is public: anyone in the federation may read it. */
const ROSTER_FILE_MODE = 0o644

/** The JSON text a signed roster is stored and spread as (indented for operators). */
export function encodeSignedRoster(signed: SignedRoster): string {
  return `${JSON.stringify(signed, null, 2)}\n`
}

/**
 * Reads and verifies the signed roster at `path`. Throws `INVALID_CONFIG` when
 * the file cannot be read, else what {@link verifyRoster} throws.
 */
export async function loadRosterFile(path: string, authorityKey: Uint8Array): Promise<Roster> {
  let bytes: Uint8Array
  try {
    bytes = await readFile(path)
  } catch (err) {
    throw new LifelineError('INVALID_CONFIG', `cannot read roster file ${path}`, { cause: err })
  }
  return verifyRoster(bytes, authorityKey)
}

/**
 * Replaces the roster file in one step (temp file, fsync, rename), so a crash
 * while a newer roster arrives leaves the old roster or the new one, never half.
 */
export async function saveRosterAtomically(path: string, signed: SignedRoster): Promise<void> {
  await writeFileAtomic(path, encodeSignedRoster(signed), { mode: ROSTER_FILE_MODE })
}
