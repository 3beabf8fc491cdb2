/** What the progress line shows. */
export interface ProgressSnapshot {
  /** `starting`, `running`, `draining`, `checking`. */
  phase: string
  elapsedMs: number
  durationMs: number
  sent: number
  accepted: number
  /** Distinct messages recorded at their destination. */
  delivered: number
  /** Accepted and not yet recorded. */
  inFlight: number
  /** Labels of the faults in force. */
  faults: string[]
}

export interface ProgressOptions {
  /** How often the line is redrawn on a terminal. @default 500 ms */
  intervalMs?: number
  /** How often a plain line is written when the output is not a terminal. @default 5 s */
  plainIntervalMs?: number
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`
}

/** One line of progress, without colours or control characters. */
export function formatProgress(s: ProgressSnapshot): string {
  const faults = s.faults.length === 0 ? 'none' : s.faults.join(', ')
  return (
    `[${s.phase}] ${seconds(s.elapsedMs)}/${seconds(s.durationMs)} ` +
    `sent ${s.sent} accepted ${s.accepted} delivered ${s.delivered} ` +
    `in flight ${s.inFlight} | faults: ${faults}`
  )
}

/**
 * A live one-line progress report. On a terminal the line is redrawn in
 * place; anywhere else (CI logs, files) a plain line is written now and then.
 */
export class Progress {
  readonly #out: NodeJS.WritableStream & { isTTY?: boolean; columns?: number }
  readonly #snapshot: () => ProgressSnapshot
  readonly #options: ProgressOptions
  #timer: NodeJS.Timeout | undefined
  #drawn = false

  constructor(
    out: NodeJS.WritableStream & { isTTY?: boolean; columns?: number },
    snapshot: () => ProgressSnapshot,
    options: ProgressOptions = {},
  ) {
    this.#out = out
    this.#snapshot = snapshot
    this.#options = options
  }

  start(): void {
    const tty = this.#out.isTTY === true
    const every = tty ? (this.#options.intervalMs ?? 500) : (this.#options.plainIntervalMs ?? 5000)
    this.#timer = setInterval(() => this.draw(), every)
    this.#timer.unref()
  }

  draw(): void {
    const line = formatProgress(this.#snapshot())
    if (this.#out.isTTY === true) {
      const width = Math.max(20, (this.#out.columns ?? 100) - 1)
      this.#out.write(`\r${line.slice(0, width)}\x1b[K`)
      this.#drawn = true
    } else {
      this.#out.write(`${line}\n`)
    }
  }

  /** Stops redrawing and leaves the terminal on a clean line. */
  stop(): void {
    clearInterval(this.#timer)
    this.#timer = undefined
    if (this.#drawn) this.#out.write('\r\x1b[K')
    this.#drawn = false
  }
}
