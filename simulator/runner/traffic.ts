import type { Priority } from '../../node/core/envelope.ts'
import { type Logger, silentLogger } from '../../node/core/log.ts'
import type { TrafficFlow } from '../scenario/types.ts'
import { encodePayload } from './payload.ts'

/**
 * How a submission ended. `unknown` means the request may have reached the
 * gateway but no answer came back (timeout, connection reset): like Jepsen's
 * indeterminate operations, such a message may or may not be delivered.
 */
export type SendOutcome = 'pending' | 'accepted' | 'refused' | 'unknown'

/** One message the generator tried to submit. */
export interface SendRecord {
  flow: number
  seq: number
  from: string
  to: string
  service: string
  priority: Priority
  /** Unix ms when the request left. */
  sentAt: number
  /** Unix ms when the answer (or failure) came. */
  answeredAt?: number
  outcome: SendOutcome
  /** Message id from the 202 answer. */
  id?: string
  /** HTTP status of a refusal. */
  status?: number
  /** Error code of a refusal (`STORE_FULL`, `UNREACHABLE`, ...) or of an unknown outcome. */
  code?: string
  ttlMs?: number
}

export interface TrafficOptions {
  /** Local API base URL of a node's gateway. */
  apiUrl: (node: string) => string
  /** How long one submission may take. @default 10 s */
  requestTimeoutMs?: number
  logger?: Logger
  /** Called as each submission leaves. */
  onSubmit?: (record: SendRecord) => void
  /** Called when an outcome is known. */
  onOutcome?: (record: SendRecord) => void
}

/**
 * Drives the scenario's flows through the gateways' local APIs. Send times are
 * computed from the drill's start (the n-th message of a flow leaves at
 * `start + n / rate`), so a slow tick never makes the rate drift.
 */
export class TrafficGenerator {
  readonly sends: SendRecord[] = []
  readonly #flows: TrafficFlow[]
  readonly #options: TrafficOptions
  readonly #log: Logger
  readonly #timers = new Set<NodeJS.Timeout>()
  readonly #pending = new Set<Promise<void>>()
  #stopped = false

  constructor(flows: TrafficFlow[], options: TrafficOptions) {
    this.#flows = flows
    this.#options = options
    this.#log = (options.logger ?? silentLogger()).child({ component: 'traffic' })
  }

  /** Starts every flow, with `t0` (Unix ms) as the drill's time zero. */
  start(t0: number): void {
    for (const [index, flow] of this.#flows.entries()) this.#schedule(index, flow, t0, 0)
  }

  /** Sends nothing more; submissions already made still finish. */
  stop(): void {
    this.#stopped = true
    for (const timer of this.#timers) clearTimeout(timer)
    this.#timers.clear()
  }

  /** Resolves once every submission made so far has an outcome. */
  async settled(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all([...this.#pending])
  }

  get inFlight(): number {
    return this.#pending.size
  }

  #schedule(index: number, flow: TrafficFlow, t0: number, firstSeq: number): void {
    const interval = 1000 / flow.ratePerSecond
    let seq = firstSeq
    const now = Date.now()
    for (;;) {
      const due = t0 + flow.startMs + seq * interval
      if (this.#stopped || due >= t0 + flow.stopMs) return
      if (due > now) break
      this.#submit(index, flow, seq++)
    }
    const wait = t0 + flow.startMs + seq * interval - now
    const timer = setTimeout(() => {
      this.#timers.delete(timer)
      this.#schedule(index, flow, t0, seq)
    }, wait)
    this.#timers.add(timer)
  }

  #submit(index: number, flow: TrafficFlow, seq: number): void {
    const record: SendRecord = {
      flow: index,
      seq,
      from: flow.from,
      to: flow.to,
      service: flow.service,
      priority: flow.priority,
      sentAt: Date.now(),
      outcome: 'pending',
    }
    if (flow.ttlMs !== undefined) record.ttlMs = flow.ttlMs
    this.sends.push(record)
    this.#options.onSubmit?.(record)
    const label = { flow: index, seq, from: flow.from, to: flow.to, sentAt: record.sentAt }
    const body: Record<string, unknown> = {
      to: flow.to,
      service: flow.service,
      priority: flow.priority,
      payload: encodePayload(label, flow.sizeBytes).toString('base64'),
    }
    if (flow.ttlMs !== undefined) body.ttl = `${flow.ttlMs}ms`
    const done = this.#post(record, body).finally(() => {
      this.#pending.delete(done)
      record.answeredAt = Date.now()
      this.#options.onOutcome?.(record)
    })
    this.#pending.add(done)
  }

  async #post(record: SendRecord, body: Record<string, unknown>): Promise<void> {
    try {
      const res = await fetch(`${this.#options.apiUrl(record.from)}/v1/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.#options.requestTimeoutMs ?? 10_000),
      })
      const answer = (await res.json().catch(() => ({}))) as {
        id?: string
        error?: { code?: string }
      }
      if (res.status === 202 && typeof answer.id === 'string') {
        record.outcome = 'accepted'
        record.id = answer.id
        return
      }
      record.outcome = 'refused'
      record.status = res.status
      record.code = answer.error?.code ?? `HTTP_${res.status}`
    } catch (err) {
      this.#failed(record, err)
    }
  }

  /** A refused connection never reached the gateway; anything else might have. */
  #failed(record: SendRecord, err: unknown): void {
    const cause = (err as { cause?: { code?: string } }).cause
    if (cause?.code === 'ECONNREFUSED') {
      record.outcome = 'refused'
      record.code = 'UNREACHABLE'
      return
    }
    record.outcome = 'unknown'
    record.code = (err as Error).name === 'TimeoutError' ? 'TIMEOUT' : (cause?.code ?? 'FAILED')
    this.#log.debug({ from: record.from, seq: record.seq, code: record.code }, 'submission unknown')
  }
}
