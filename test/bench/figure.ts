import type { Summary } from './stats.ts'

/** A target the team is going for, judged on one statistic of a row. */
export interface Target {
  /** What is aimed for, e.g. `p99 < 20 ms`. */
  text: string
  pass: boolean
}

/** What a row is compared with; its unit defaults to the row's. */
export interface Baseline {
  label: string
  value: Summary
  unit?: string
}

/** One measured quantity, side by side with the baseline it is judged against. */
export interface Row {
  metric: string
  unit: string
  value: Summary
  baseline?: Baseline
  /** `value.median / baseline.median`. */
  ratio?: number
  target?: Target
}

/** What a figure reports after its trials. */
export interface FigureOutcome {
  rows: Row[]
  /** Plain remarks: what was measured exactly, anything odd seen during the trials. */
  notes: string[]
  /** Extra numbers kept in results.json but not printed in the table. */
  details?: Record<string, unknown>
}

export interface FigureResult extends FigureOutcome {
  id: string
  title: string
  seconds: number
}

/** What a figure gets from the runner. */
export interface BenchContext {
  /** `--quick`: fewer and shorter trials. */
  quick: boolean
  /** Writes one progress line to stderr, prefixed with the figure id. */
  progress(line: string): void
  /**
   * A measurement shared between figures of one run (the raw overlay ceiling
   * is the baseline of several): made on first use, reused afterwards.
   */
  shared<T>(key: string, make: () => Promise<T>): Promise<T>
  /** A scratch folder for this run, on the same filesystem as the gateways' data. */
  runDir: string
}

export interface Figure {
  /** Name used with `--only`, e.g. `gateway-one-hop`. */
  id: string
  title: string
  run(ctx: BenchContext): Promise<FigureOutcome>
}

/** A row with its ratio to the baseline filled in. */
export function compare(
  metric: string,
  unit: string,
  value: Summary,
  baseline?: Baseline,
  target?: Target,
): Row {
  const row: Row = { metric, unit, value }
  if (baseline !== undefined) {
    row.baseline = baseline
    row.ratio = value.median / baseline.value.median
  }
  if (target !== undefined) row.target = target
  return row
}

/** Trials to run: the full count, or the quick one under `--quick`. */
export function trialCount(ctx: BenchContext, full: number, quick: number): number {
  return ctx.quick ? quick : full
}
