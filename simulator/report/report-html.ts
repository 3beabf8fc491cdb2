import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import type { Report } from './report-json.ts'
import { verdictRows } from './terminal.ts'

const require = createRequire(import.meta.url)
const ASSETS = new URL('./assets/', import.meta.url)

/**
 * `report.html`: one self-contained page (uPlot, styles and data inlined, no
 * network) with the verdict table, charts of deliveries, latency and backlog
 * per gateway with the faults shaded on the time axis, and the fault,
 * failover and recovery lists.
 */
export async function renderHtml(report: Report): Promise<string> {
  const [uplotJs, uplotCss, pageJs, pageCss] = await Promise.all([
    readFile(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8'),
    readFile(require.resolve('uplot/dist/uPlot.min.css'), 'utf8'),
    readFile(new URL('report-page.js', ASSETS), 'utf8'),
    readFile(new URL('report-page.css', ASSETS), 'utf8'),
  ])
  const title = `Drill ${report.scenario}`
  const verdict = report.verdict.passed
    ? '<span class="badge passed">PASSED</span>'
    : '<span class="badge failed">FAILED</span>'
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>${escapeHtml(title)}</title>
<style>${uplotCss}\n${pageCss}</style>
</head>
<body>
<h1>${escapeHtml(title)} ${verdict}</h1>
<p class="meta">${escapeHtml(summaryLine(report))}</p>
${report.description === undefined ? '' : `<p>${escapeHtml(report.description)}</p>`}
<h2>Verdict</h2>
${verdictTable(report)}
${failureList(report.verdict.failures)}
<h2>Timeline</h2>
${legend()}
<div id="chart-deliveries" class="chart"></div>
<div id="chart-latency" class="chart"></div>
<div id="chart-backlog" class="chart"></div>
<h2>Faults</h2>
${faultTable(report)}
<h2>Failover and recovery</h2>
${eventTable(report)}
<script type="application/json" id="report-data">${embedJson(report)}</script>
<script>${inlineScript(uplotJs)}</script>
<script>${inlineScript(pageJs)}</script>
</body>
</html>
`
}

function summaryLine(report: Report): string {
  const m = report.messages
  const started = report.startedAt === undefined ? '' : `started ${report.startedAt}, `
  const counts = `${m.sent} sent, ${m.accepted} accepted, ${m.delivered} delivered`
  return `${started}seed ${report.seed}, ${report.durationSeconds}s; ${counts}`
}

function verdictTable(report: Report): string {
  const rows = verdictRows(report).map(([name, observed, expected, status]) =>
    row([name, num(observed), expected, { text: status, className: status }]),
  )
  return table(['check', 'observed', 'expected', ''], rows)
}

function failureList(failures: string[]): string {
  if (failures.length === 0) return '<p>Every expectation held.</p>'
  return `<ul>${failures.map((f) => `<li>${escapeHtml(f)}</li>`).join('')}</ul>`
}

function legend(): string {
  const kinds: Array<[string, string]> = [
    ['cut or partition', 'rgba(220, 38, 38, 0.35)'],
    ['degrade', 'rgba(234, 140, 0, 0.35)'],
    ['power loss', 'rgba(124, 58, 237, 0.35)'],
  ]
  const items = kinds.map(
    ([name, colour]) =>
      `<span><span class="swatch" style="background:${colour}"></span>${name}</span>`,
  )
  return `<p class="legend">Shaded: ${items.join('')}</p>`
}

function faultTable(report: Report): string {
  if (report.faults.length === 0) return '<p>No faults.</p>'
  const rows = report.faults.map((f) =>
    row([num(`${f.at}s`), f.kind, f.target, num(f.for === undefined ? '' : `${f.for}s`)]),
  )
  return table(['at', 'kind', 'target', 'for'], rows)
}

function eventTable(report: Report): string {
  const seconds = (s: number | null) => (s === null ? 'never' : `${s}s`)
  const rows = [
    ...report.failovers.map((f) =>
      row(['failover', num(`${f.at}s`), f.target, num(seconds(f.seconds))]),
    ),
    ...report.recoveries.map((r) =>
      row(['recovery', num(`${r.restartedAt}s`), r.node, num(seconds(r.seconds))]),
    ),
  ]
  if (rows.length === 0) return '<p>No cuts with a surviving path and no power losses.</p>'
  return table(['what', 'at', 'target', 'took'], rows)
}

type Cell = string | { text: string; className: string }

const num = (text: string): Cell => ({ text, className: 'num' })

/** One table row; every cell's text is escaped. */
function row(cells: Cell[]): string {
  const tds = cells.map((cell) =>
    typeof cell === 'string'
      ? `<td>${escapeHtml(cell)}</td>`
      : `<td class="${escapeHtml(cell.className)}">${escapeHtml(cell.text)}</td>`,
  )
  return `<tr>${tds.join('')}</tr>`
}

function table(headers: string[], rows: string[]): string {
  const head = headers.map((h) => `<th>${escapeHtml(h)}</th>`).join('')
  return `<table><thead><tr>${head}</tr></thead><tbody>${rows.join('')}</tbody></table>`
}

export function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
}

/** JSON safe inside a script element: no `<` can close it or open a comment. */
function embedJson(value: unknown): string {
  return JSON.stringify(value).replaceAll('<', '\\u003c')
}

function inlineScript(js: string): string {
  return js.replaceAll('</script', '<\\/script')
}
