import { readFile } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { parse as parseYaml, YAMLParseError } from 'yaml'
import { LifelineError } from '../core/errors.ts'
import { type Config, consistentConfig } from './schema.ts'

/** Validates a parsed config object; the error names every bad field by its path. */
export function validateConfig(raw: unknown, source = 'config'): Config {
  const result = consistentConfig.safeParse(raw)
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const path = issue.path.length === 0 ? '(top level)' : issue.path.join('.')
      return `${path}: ${issue.message}`
    })
    throw new LifelineError(
      'INVALID_CONFIG',
      `${source}: invalid config\n  ${problems.join('\n  ')}`,
      {
        details: { problems },
      },
    )
  }
  return result.data
}

/** Reads a YAML config file; relative paths inside it resolve from the file's folder. */
export async function loadConfig(file: string): Promise<Config> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message
    throw new LifelineError('INVALID_CONFIG', `${file}: cannot read config (${reason})`, {
      cause: err,
    })
  }
  let raw: unknown
  try {
    raw = parseYaml(text)
  } catch (err) {
    const where = err instanceof YAMLParseError ? `: ${err.message.split('\n')[0]}` : ''
    throw new LifelineError('INVALID_CONFIG', `${file}: not valid YAML${where}`, { cause: err })
  }
  const config = validateConfig(raw ?? {}, file)
  const base = dirname(resolve(file))
  config.dataDir = resolve(base, config.dataDir)
  config.roster = resolve(base, config.roster)
  if (config.pnetKey !== undefined) config.pnetKey = resolve(base, config.pnetKey)
  return config
}
