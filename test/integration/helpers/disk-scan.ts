import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'

/** One needle found in one file. */
export interface ScanHit {
  file: string
  needle: string
}

/** What a scan looked at and found. */
export interface ScanResult {
  files: number
  bytes: number
  hits: ScanHit[]
}

/**
 * The forms a secret text could take on disk or in a log: the raw UTF-8, hex,
 * and base64 at each of the three byte alignments it could start at inside a
 * longer base64 string.
 */
export function secretForms(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8')
  const forms = [secret, bytes.toString('hex')]
  for (let skip = 0; skip < 3; skip++) {
    const part = bytes.subarray(skip)
    forms.push(part.subarray(0, part.length - (part.length % 3)).toString('base64'))
  }
  return forms
}

/** Reads every file under `dir` (recursively) and reports which needles occur where. */
export async function scanTree(dir: string, needles: string[]): Promise<ScanResult> {
  const result: ScanResult = { files: 0, bytes: 0, hits: [] }
  const entries = await readdir(dir, { recursive: true, withFileTypes: true })
  for (const entry of entries) {
    if (!entry.isFile()) continue
    const file = join(entry.parentPath, entry.name)
    // LevelDB may delete a file between listing and reading; what is gone holds nothing.
    const content = await readFile(file).catch(() => undefined)
    if (content === undefined) continue
    result.files++
    result.bytes += content.length
    for (const needle of needles) {
      if (content.includes(needle)) result.hits.push({ file, needle })
    }
  }
  return result
}
