import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { renderHtml } from './report-html.ts'
import type { Report } from './report-json.ts'

/** Writes `report.json` and `report.html` into `dir` (created if missing); returns their paths. */
export async function writeReports(
  dir: string,
  report: Report,
): Promise<{ json: string; html: string }> {
  await mkdir(dir, { recursive: true })
  const json = join(dir, 'report.json')
  const html = join(dir, 'report.html')
  await writeFile(json, `${JSON.stringify(report, null, 2)}\n`)
  await writeFile(html, await renderHtml(report))
  return { json, html }
}
