import { dirname, isAbsolute, resolve } from 'node:path'

/** The repository root, found from this file's place in it. */
export const REPO_ROOT = resolve(import.meta.dirname, '../..')

/**
 * The shared data folder: `$LIFELINE_SHARED_DIR` when set, else `shared/`
 * beside the repository (where CI and the development machines keep it).
 */
export function sharedDir(): string {
  return process.env.LIFELINE_SHARED_DIR ?? resolve(REPO_ROOT, '../shared')
}

/**
 * Resolves a path written in a scenario file. `${shared}/...` is inside the
 * shared data folder and `${repo}/...` inside the repository, wherever either
 * was cloned; an absolute path stays as it is; anything else is relative to the
 * scenario file's own folder.
 */
export function resolveScenarioPath(path: string, scenarioFile: string): string {
  const variable = /^\$\{(shared|repo)\}(.*)$/.exec(path)
  if (variable !== null) {
    const base = variable[1] === 'shared' ? sharedDir() : REPO_ROOT
    return resolve(base, `.${variable[2]}`)
  }
  if (isAbsolute(path)) return path
  return resolve(dirname(scenarioFile), path)
}
