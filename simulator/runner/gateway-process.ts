import { type ChildProcess, spawn } from 'node:child_process'
import { closeSync, openSync, readFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { type Logger, silentLogger } from '../../node/core/log.ts'

/** The gateway CLI every drill node runs. */
export const GATEWAY_BIN = resolve(import.meta.dirname, '../../node/cli/bin.ts')

export interface GatewayProcessOptions {
  /** Node id in the scenario (and roster name). */
  name: string
  configFile: string
  /** stdout and stderr of every incarnation are appended here. */
  logFile: string
  /** Base URL of the gateway's local API, e.g. `http://127.0.0.1:8080`. */
  apiUrl: string
  /** Script run with this Node binary, given `start --config FILE`. @default GATEWAY_BIN */
  script?: string
  /** How long a start may take until `/readyz` answers 200. @default 30 s */
  readyTimeoutMs?: number
  logger?: Logger
  /** Called when the process exits without being told to. */
  onUnexpectedExit?: (name: string, code: number | null, signal: string | null) => void
}

/**
 * One gateway as an operating-system process: started on its config, killed
 * like a power cut (SIGKILL), restarted on the same data directory.
 */
export class GatewayProcess {
  readonly name: string
  readonly apiUrl: string
  readonly #options: GatewayProcessOptions
  readonly #log: Logger
  #child: ChildProcess | undefined
  #exit: Promise<void> = Promise.resolve()
  #expectingExit = false
  /** Times this gateway was started. */
  starts = 0

  constructor(options: GatewayProcessOptions) {
    this.name = options.name
    this.apiUrl = options.apiUrl
    this.#options = options
    this.#log = (options.logger ?? silentLogger()).child({ component: 'gateway', node: this.name })
  }

  get pid(): number | undefined {
    return this.#child?.pid
  }

  get running(): boolean {
    return (
      this.#child !== undefined && this.#child.exitCode === null && this.#child.signalCode === null
    )
  }

  /** Spawns the gateway and waits until it reports ready. */
  async start(signal?: AbortSignal): Promise<void> {
    if (this.running) throw new Error(`gateway ${this.name} is already running`)
    const fd = openSync(this.#options.logFile, 'a')
    const script = this.#options.script ?? GATEWAY_BIN
    let child: ChildProcess
    try {
      child = spawn(process.execPath, [script, 'start', '--config', this.#options.configFile], {
        stdio: ['ignore', fd, fd],
      })
    } finally {
      closeSync(fd)
    }
    this.#child = child
    this.starts++
    this.#expectingExit = false
    this.#exit = new Promise<void>((resolve) => {
      // A failed spawn emits 'error' and may never emit 'exit'.
      child.once('error', (err) => {
        this.#log.error({ err }, 'gateway could not be spawned')
        resolve()
      })
      child.once('exit', (code, sig) => {
        resolve()
        if (this.#expectingExit) return
        this.#log.warn({ code, signal: sig }, 'gateway exited unexpectedly')
        this.#options.onUnexpectedExit?.(this.name, code, sig)
      })
    })
    const spawnedAt = Date.now()
    this.#log.info({ gatewayPid: child.pid, start: this.starts }, 'gateway started')
    await this.#waitReady(child, signal)
    this.#log.info({ gatewayPid: child.pid, ms: Date.now() - spawnedAt }, 'gateway ready')
  }

  /** A power cut: SIGKILL, no chance to flush or say goodbye. */
  async powerLoss(): Promise<void> {
    await this.#signal('SIGKILL')
  }

  /** Asks the gateway to stop (SIGTERM) and kills it when it takes longer than `graceMs`. */
  async stop(graceMs = 3000): Promise<void> {
    if (!this.running) return
    const timer = setTimeout(() => this.killNow(), graceMs)
    await this.#signal('SIGTERM')
    clearTimeout(timer)
  }

  /** Synchronous SIGKILL for exit paths that cannot wait. */
  killNow(): void {
    if (!this.running) return
    this.#expectingExit = true
    this.#child?.kill('SIGKILL')
  }

  /** Resident set size of the running process in bytes (Linux /proc), or undefined. */
  rssBytes(): number | undefined {
    if (!this.running || this.pid === undefined) return undefined
    try {
      const status = readFileSync(`/proc/${this.pid}/status`, 'utf8')
      const kib = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1]
      return kib === undefined ? undefined : Number(kib) * 1024
    } catch {
      return undefined
    }
  }

  /** The last lines of the log file, for error messages. */
  async logTail(lines = 20): Promise<string> {
    const text = await readFile(this.#options.logFile, 'utf8').catch(() => '')
    return text.trimEnd().split('\n').slice(-lines).join('\n')
  }

  async #signal(signal: NodeJS.Signals): Promise<void> {
    if (!this.running) return
    this.#expectingExit = true
    this.#child?.kill(signal)
    await this.#exit
    this.#log.info({ signal }, 'gateway stopped')
  }

  async #waitReady(child: ChildProcess, signal?: AbortSignal): Promise<void> {
    const deadline = Date.now() + (this.#options.readyTimeoutMs ?? 30_000)
    while (Date.now() < deadline) {
      signal?.throwIfAborted()
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`gateway ${this.name} exited during start:\n${await this.logTail()}`)
      }
      if (await this.#isReady()) return
      await new Promise((r) => setTimeout(r, 100))
    }
    throw new Error(`gateway ${this.name} not ready in time:\n${await this.logTail()}`)
  }

  async #isReady(): Promise<boolean> {
    try {
      const res = await fetch(`${this.apiUrl}/readyz`, { signal: AbortSignal.timeout(1000) })
      await res.body?.cancel()
      return res.status === 200
    } catch {
      return false
    }
  }
}
