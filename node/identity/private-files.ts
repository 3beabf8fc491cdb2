import { randomBytes } from 'node:crypto'
import { link, mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { LifelineError } from '../core/errors.ts'

/** Owner read/write only: what every secret key file must be. */
export const PRIVATE_FILE_MODE = 0o600
/** Owner only: what a directory holding secret keys is created with. */
export const PRIVATE_DIR_MODE = 0o700

export interface WriteFileAtomicOptions {
  /** Permission bits of the new file. @default 0o600 */
  mode?: number
  /**
   * Replace an existing file. When false the write fails with `EEXIST` if the
   * file is already there, even when another process created it a moment ago.
   * @default true
   */
  overwrite?: boolean
}

/**
 * Writes `data` to `path` so that a crash at any instant leaves either the old
 * file or the complete new one, never a torn one: the bytes go to a temporary
 * file in the same directory, are fsynced, then moved into place, and the
 * directory is fsynced so the new name survives power loss too.
 */
export async function writeFileAtomic(
  path: string,
  data: Uint8Array | string,
  options: WriteFileAtomicOptions = {},
): Promise<void> {
  const mode = options.mode ?? PRIVATE_FILE_MODE
  const dir = dirname(path)
  const temp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`)
  const handle = await open(temp, 'wx', mode)
  try {
    await handle.writeFile(data)
    // The umask may have narrowed the mode given to open(); set it exactly.
    await handle.chmod(mode)
    await handle.sync()
  } finally {
    await handle.close()
  }
  try {
    if (options.overwrite === false) {
      // link() refuses an existing target atomically, unlike rename().
      await link(temp, path)
    } else {
      await rename(temp, path)
    }
  } finally {
    await unlink(temp).catch(() => undefined)
  }
  await syncDirectory(dir)
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r')
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}

/** Creates `dir` (and parents) with owner-only permissions when it does not exist yet. */
export async function ensurePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: PRIVATE_DIR_MODE })
}

/**
 * Reads a secret file, refusing it when group or others may read or write it:
 * a leaked key is worse than a gateway that does not start.
 */
export async function readPrivateFile(path: string): Promise<Uint8Array> {
  const info = await stat(path)
  const loose = info.mode & 0o077
  if (loose !== 0) {
    const mode = (info.mode & 0o777).toString(8).padStart(4, '0')
    throw new LifelineError(
      'INVALID_CONFIG',
      `key file ${path} is accessible by group or others (mode ${mode}); ` +
        `restrict it with: chmod 600 ${path}`,
      { details: { path, mode } },
    )
  }
  return new Uint8Array(await readFile(path))
}

/** Whether `path` exists (any file type). */
export async function exists(path: string): Promise<boolean> {
  try {
    await stat(path)
    return true
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false
    throw err
  }
}
