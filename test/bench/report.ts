import type { FigureResult, Row } from './figure.ts'
import type { Summary } from './stats.ts'

/** A number with as many decimals as its size deserves. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return '-'
  const size = Math.abs(value)
  if (size >= 100) return Math.round(value).toLocaleString('en-US')
  if (size >= 10) return value.toFixed(1)
  if (size >= 1) return value.toFixed(2)
  return value.toFixed(3)
}

/** `median (min-max)`, or just the value when there was one sample or no spread. */
export function formatSummary(s: Summary, unit = ''): string {
  const suffix = unit === '' ? '' : ` ${unit}`
  const median = `${formatNumber(s.median)}${suffix}`
  if (s.n <= 1 || s.min === s.max) return median
  return `${median} (${formatNumber(s.min)}-${formatNumber(s.max)})`
}

function formatRatio(ratio: number | undefined): string {
  if (ratio === undefined || !Number.isFinite(ratio)) return ''
  return `${ratio >= 10 ? ratio.toFixed(0) : ratio.toFixed(2)}x`
}

const COLUMNS = ['metric', 'value: median (min-max)', 'baseline', 'ratio', 'target'] as const

function cells(row: Row): string[] {
  const baseline =
    row.baseline === undefined
      ? ''
      : `${row.baseline.label}: ${formatSummary(row.baseline.value, row.baseline.unit ?? row.unit)}`
  const target =
    row.target === undefined ? '' : `${row.target.text} ${row.target.pass ? 'PASS' : 'MISS'}`
  return [row.metric, formatSummary(row.value, row.unit), baseline, formatRatio(row.ratio), target]
}

/** The results as a plain-text table, one block per figure, for the terminal and the README. */
export function formatTable(figures: FigureResult[]): string {
  const blocks = figures.map((f) => ({ f, rows: f.rows.map(cells) }))
  const widths = COLUMNS.map((c, i) =>
    Math.max(c.length, ...blocks.flatMap((b) => b.rows.map((r) => r[i]!.length))),
  )
  const line = (parts: readonly string[]) =>
    parts
      .map((p, i) => p.padEnd(widths[i]!))
      .join('  ')
      .trimEnd()
  const out = [line(COLUMNS), line(widths.map((w) => '-'.repeat(w)))]
  for (const { f, rows } of blocks) {
    out.push('', `${f.title}  [${f.seconds.toFixed(0)} s]`)
    if ('error' in (f.details ?? {})) out.push(`  FAILED: ${String(f.details?.error)}`)
    for (const r of rows) out.push(line(r))
  }
  return out.join('\n')
}

/** Targets met and missed, for the closing line. */
export function targetTally(figures: FigureResult[]): { met: number; missed: number } {
  const targets = figures.flatMap((f) => f.rows.flatMap((r) => (r.target ? [r.target] : [])))
  const met = targets.filter((t) => t.pass).length
  return { met, missed: targets.length - met }
}
