import type { z } from 'zod'
import { LifelineError } from '../../node/core/errors.ts'

/** One thing wrong with a scenario: where (`faults[2].cut.link`) and what was expected. */
export interface Problem {
  path: string
  message: string
}

/**
 * A scenario refused before anything starts. The message has one
 * `file: path: expected ...` line per problem, so a drill lead can fix them all
 * in one go; `problems` carries the same for programs.
 */
export class ScenarioError extends LifelineError {
  override name = 'ScenarioError'
  readonly file: string
  readonly problems: Problem[]

  constructor(file: string, problems: Problem[], options?: { cause?: unknown }) {
    const lines = problems.map((p) => `${file}: ${p.path}: ${p.message}`)
    super('INVALID_SCENARIO', `invalid scenario\n${lines.join('\n')}`, {
      cause: options?.cause,
      details: { file, problems },
    })
    this.file = file
    this.problems = problems
  }
}

/** `['faults', 2, 'cut', 'link']` as `faults[2].cut.link`; the empty path as `(top level)`. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = ''
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`
    else out += out === '' ? String(part) : `.${String(part)}`
  }
  return out === '' ? '(top level)' : out
}

/** Zod issues as problems, one per unknown key, with zod's wording trimmed to "expected ...". */
export function problemsFromZod(
  issues: ReadonlyArray<z.core.$ZodIssue>,
  prefix: ReadonlyArray<PropertyKey> = [],
): Problem[] {
  const problems: Problem[] = []
  for (const issue of issues) {
    const path = [...prefix, ...issue.path]
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        problems.push({ path: formatPath([...path, key]), message: issue.message })
      }
      continue
    }
    problems.push({ path: formatPath(path), message: tidy(issue.message) })
  }
  return problems
}

function tidy(message: string): string {
  const text = message.replace(/^Invalid (input|option): /, '')
  if (text.endsWith(', received undefined')) {
    return `missing; ${text.slice(0, -', received undefined'.length)}`
  }
  return text
}
