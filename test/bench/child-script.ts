import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { createInterface, type Interface } from 'node:readline'

/** How long a child may stay silent before the benchmark gives up on it. */
const LINE_TIMEOUT_MS = 120_000

/**
 * A helper process of the benchmark (the raw overlay peers): a script run on
 * this same Node binary that answers with JSON lines on stdout. Its stdin is
 * a pipe, so a child left behind by a crashed benchmark sees it close.
 */
export class ChildScript {
  readonly #child: ChildProcess
  readonly #lines: AsyncIterator<string>
  readonly #rl: Interface
  #stderr = ''

  constructor(script: string, args: string[]) {
    this.#child = spawn(process.execPath, [script, ...args], { stdio: ['pipe', 'pipe', 'pipe'] })
    this.#child.stderr?.on('data', (chunk: Buffer) => {
      this.#stderr = (this.#stderr + chunk.toString('utf8')).slice(-4000)
    })
    this.#rl = createInterface({ input: this.#child.stdout! })
    this.#lines = this.#rl[Symbol.asyncIterator]()
  }

  get pid(): number | undefined {
    return this.#child.pid
  }

  /** The next stdout line parsed as JSON; undefined once the child is done. */
  async next<T>(): Promise<T | undefined> {
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`child went quiet:\n${this.#stderr}`)),
        LINE_TIMEOUT_MS,
      )
    })
    try {
      const line = await Promise.race([this.#lines.next(), timeout])
      if (line.done === true) {
        if (this.#child.exitCode !== 0 && this.#child.exitCode !== null) {
          throw new Error(`child exited with ${this.#child.exitCode}:\n${this.#stderr}`)
        }
        return undefined
      }
      return JSON.parse(line.value) as T
    } finally {
      clearTimeout(timer)
    }
  }

  /** Closes stdin (the polite stop) and kills the child if it lingers. */
  async stop(graceMs = 2000): Promise<void> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return
    const exited = once(this.#child, 'exit')
    this.#child.stdin?.end()
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), graceMs)
    await exited
    clearTimeout(timer)
    this.#rl.close()
  }
}
