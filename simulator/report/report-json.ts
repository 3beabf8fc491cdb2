import { check } from '../checker/checker.ts'
import { msToSeconds } from '../checker/classify.ts'
import type {
  CheckResult,
  Failover,
  History,
  LatencySummary,
  MessageCounts,
  Recovery,
} from '../checker/types.ts'
import type { Scenario } from '../scenario/types.ts'
import { buildTimeseries, type Timeseries } from './timeseries.ts'

/**
 * `report.json`: the machine-readable result of a drill. The fields up to
 * `verdict` are the contract in DESIGN.md; the rest adds detail for people and
 * for the HTML report. Times are seconds; `at` values count from drill start.
 */
export interface Report {
  scenario: string
  description?: string
  /** Scenario file the drill ran. */
  file: string
  seed: number
  /** ISO time of drill start, when the runner knew it. */
  startedAt?: string
  durationSeconds: number
  messages: MessageCounts
  latencySeconds: LatencySummary
  /** The faults as the scenario states them (chaos expanded); `for` when they undo themselves. */
  faults: Array<{ at: number; kind: string; target: string; for?: number }>
  /** Per cut that left a path: cut until traffic flowed again; null if it never did. */
  failoverSeconds: Array<number | null>
  /** Per power loss: restart until the backlog drained; null if it never did. */
  recoverySeconds: Array<number | null>
  verdict: { passed: boolean; failures: string[] }
  /** The bounds the verdict used (seconds for the time limits). */
  expect: ReportExpectations
  failovers: Failover[]
  recoveries: Recovery[]
  /** Message ids behind the bad counts, at most `MAX_REPORTED_IDS` per class. */
  ids: CheckResult['ids']
  timeseries: Timeseries
}

/** Keeps report.json readable when a drill goes badly wrong. */
export const MAX_REPORTED_IDS = 200

export interface ReportExpectations {
  lost?: number
  duplicated?: number
  unexpected?: number
  expired?: number
  failoverWithinSeconds?: number
  drainedWithinSeconds?: number
}

/** Builds the report; `result` is computed with `check` when not given. */
export function buildReport(
  scenario: Scenario,
  history: History,
  result: CheckResult = check(history, scenario),
): Report {
  const report: Report = {
    scenario: scenario.name,
    file: scenario.file,
    seed: scenario.seed,
    durationSeconds: msToSeconds(history.endedAt),
    messages: result.messages,
    latencySeconds: result.latencySeconds,
    faults: scenario.faults.map((fault) => {
      const entry: Report['faults'][number] = {
        at: fault.atSeconds,
        kind: fault.kind,
        target: fault.target,
      }
      if (fault.forSeconds !== undefined) entry.for = fault.forSeconds
      return entry
    }),
    failoverSeconds: result.failovers.map((f) => f.seconds),
    recoverySeconds: result.recoveries.map((r) => r.seconds),
    verdict: result.verdict,
    expect: reportExpectations(scenario.expect),
    failovers: result.failovers,
    recoveries: result.recoveries,
    ids: {
      lost: result.ids.lost.slice(0, MAX_REPORTED_IDS),
      duplicated: result.ids.duplicated.slice(0, MAX_REPORTED_IDS),
      unexpected: result.ids.unexpected.slice(0, MAX_REPORTED_IDS),
      expired: result.ids.expired.slice(0, MAX_REPORTED_IDS),
    },
    timeseries: buildTimeseries(scenario, history),
  }
  if (scenario.description !== undefined) report.description = scenario.description
  if (history.startedAt !== undefined) {
    report.startedAt = new Date(history.startedAt).toISOString()
  }
  return report
}

function reportExpectations(expect: Scenario['expect']): ReportExpectations {
  const out: ReportExpectations = {}
  for (const key of ['lost', 'duplicated', 'unexpected', 'expired'] as const) {
    if (expect[key] !== undefined) out[key] = expect[key]
  }
  if (expect.failoverWithinMs !== undefined) {
    out.failoverWithinSeconds = msToSeconds(expect.failoverWithinMs)
  }
  if (expect.drainedWithinMs !== undefined) {
    out.drainedWithinSeconds = msToSeconds(expect.drainedWithinMs)
  }
  return out
}
