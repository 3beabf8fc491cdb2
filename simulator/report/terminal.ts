import type { Report } from './report-json.ts'

export interface TerminalOptions {
  /** ANSI colour; by default only when stdout is a terminal and NO_COLOR is unset. */
  color?: boolean
}

type Status = 'ok' | 'FAIL' | ''
export type Row = [string, string, string, Status]

const GREEN = '\u001b[32m'
const RED = '\u001b[31m'
const BOLD = '\u001b[1m'
const RESET = '\u001b[0m'

/**
 * The verdict as a plain-text table for the end of a drill: one row per
 * checked quantity with what was observed, what the scenario expected and
 * whether it held, then the failures in words.
 */
export function renderVerdict(report: Report, options: TerminalOptions = {}): string {
  const color =
    options.color ?? (process.stdout.isTTY === true && process.env.NO_COLOR === undefined)
  const paint = (code: string, text: string) => (color && text !== '' ? code + text + RESET : text)
  const m = report.messages
  const header = [
    `drill ${report.scenario} (seed ${report.seed}), ${report.durationSeconds}s`,
    `messages: ${m.sent} sent, ${m.accepted} accepted, ${m.delivered} delivered`,
  ]
  const rows = verdictRows(report)
  const widths = [0, 1, 2].map((c) =>
    Math.max(...[['check', 'observed', 'expected'], ...rows].map((row) => row[c]!.length)),
  )
  const line = (row: readonly string[]) =>
    row
      .slice(0, 3)
      .map((cell, c) => cell.padEnd(widths[c]!))
      .join('  ')
  const status = (s: Status) => paint(s === 'ok' ? GREEN : RED, s)
  const table = [
    line(['check', 'observed', 'expected']),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map((row) => `${line(row)}  ${status(row[3])}`.trimEnd()),
  ]
  const passed = report.verdict.passed
  const verdict = paint(BOLD + (passed ? GREEN : RED), passed ? 'PASSED' : 'FAILED')
  const failures = report.verdict.failures.map((f) => `  - ${f}`)
  return [...header, '', ...table, '', `verdict: ${verdict}`, ...failures, ''].join('\n')
}

/** The rows of the verdict table: check, observed, expected, status. */
export function verdictRows(report: Report): Row[] {
  const { messages, expect, latencySeconds: lat } = report
  const rows: Row[] = (['lost', 'duplicated', 'unexpected', 'expired'] as const).map((key) => {
    const limit = expect[key]
    if (limit === undefined) return [key, String(messages[key]), '-', '']
    return [key, String(messages[key]), `<= ${limit}`, messages[key] <= limit ? 'ok' : 'FAIL']
  })
  // Allowed by the design (same id, after a destination crash), shown so nobody has to wonder.
  rows.splice(2, 0, ['redelivered after crash', String(messages.redeliveredAfterCrash), '-', ''])
  rows.push(['latency p50 / p99', `${lat.p50}s / ${lat.p99}s`, '-', ''])
  rows.push(['latency max', `${lat.max}s`, '-', ''])
  rows.push(limitRow('failover', report.failoverSeconds, expect.failoverWithinSeconds))
  rows.push(limitRow('recovery', report.recoverySeconds, expect.drainedWithinSeconds))
  return rows
}

/** Worst of a list of per-event times against a limit; `never` when any event did not finish. */
function limitRow(name: string, values: Array<number | null>, limit: number | undefined): Row {
  const label = `${name} (${values.length})`
  if (values.length === 0) return [label, 'none measured', limitText(limit), '']
  const never = values.some((v) => v === null)
  const worst = Math.max(...values.map((v) => v ?? 0))
  const observed = never ? 'never' : `max ${worst}s`
  if (limit === undefined) return [label, observed, '-', '']
  return [label, observed, limitText(limit), !never && worst <= limit ? 'ok' : 'FAIL']
}

function limitText(limit: number | undefined): string {
  return limit === undefined ? '-' : `<= ${limit}s`
}
