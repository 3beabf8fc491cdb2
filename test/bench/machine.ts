import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os'

/** The machine the figures came from: without it, numbers mean little. */
export interface Machine {
  /** Processors this process may use (what `nproc` prints). */
  nproc: number
  cpuModel: string
  memoryGiB: number
  node: string
  platform: string
  kernel: string
}

function kernelRelease(): string {
  try {
    return readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim()
  } catch {
    return 'unknown'
  }
}

function cpuModel(): string {
  try {
    const match = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))
    if (match?.[1] !== undefined) return match[1].trim()
  } catch {
    // Not Linux: fall back to what Node reports.
  }
  return cpus()[0]?.model ?? 'unknown'
}

export function describeMachine(): Machine {
  return {
    nproc: availableParallelism(),
    cpuModel: cpuModel(),
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    kernel: kernelRelease(),
  }
}

/**
 * The commit the measured code came from, with `dirty` when the working tree
 * differs from it: figures only mean something next to the code they measured.
 */
export function codeVersion(cwd: string): { commit: string; dirty: boolean } | undefined {
  try {
    const git = (...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8' }).trim()
    const dirty = git('status', '--porcelain', '--untracked-files=no') !== ''
    return { commit: git('rev-parse', 'HEAD'), dirty }
  } catch {
    return undefined
  }
}

/** The 1, 5 and 15 minute load averages, rounded: other work on the machine shows here. */
export function loadAverage(): [number, number, number] {
  const [one = 0, five = 0, fifteen = 0] = loadavg().map((v) => Math.round(v * 100) / 100)
  return [one, five, fifteen]
}

/** Samples the 1-minute load average every few seconds while the run goes on. */
export class LoadSampler {
  readonly samples: number[] = []
  readonly #timer: NodeJS.Timeout

  constructor(intervalMs = 5000) {
    this.samples.push(loadAverage()[0])
    this.#timer = setInterval(() => this.samples.push(loadAverage()[0]), intervalMs)
    this.#timer.unref()
  }

  stop(): void {
    clearInterval(this.#timer)
    this.samples.push(loadAverage()[0])
  }
}
