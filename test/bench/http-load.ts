import { randomBytes } from 'node:crypto'
import { Agent, request } from 'node:http'

/** Messages the gateway accepted (202), by id, with the time (ms) each was submitted. */
export type Ledger = Map<string, number>

export interface BurstResult {
  accepted: Ledger
  /** Answers other than 202, by status (0 for a failed connection). */
  refused: Map<number, number>
  startedAt: number
  finishedAt: number
}

/**
 * Agency systems submitting to one gateway's local API over keep-alive HTTP
 * connections, each with a 1 KiB payload. Every 202 goes into a ledger with
 * the time its request was sent, so end-to-end latency can be read off the
 * destination service's arrival times later.
 */
export class Submitters {
  readonly #url: URL
  readonly #agent: Agent
  readonly #body: string

  constructor(apiUrl: string, to: string, connections: number, payloadBytes = 1024) {
    this.#url = new URL('/v1/messages', apiUrl)
    this.#agent = new Agent({ keepAlive: true, maxSockets: connections })
    const payload = randomBytes(payloadBytes).toString('base64')
    this.#body = JSON.stringify({ to, service: 'inbox', payload })
  }

  /** One submission; resolves with the status and, for a 202, the message id. */
  submit(): Promise<{ status: number; id?: string }> {
    return new Promise((resolve) => {
      const req = request(
        this.#url,
        {
          method: 'POST',
          agent: this.#agent,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(this.#body),
          },
        },
        (res) => {
          const chunks: Buffer[] = []
          res.on('data', (c: Buffer) => chunks.push(c))
          res.on('end', () => {
            const status = res.statusCode ?? 0
            if (status !== 202) return resolve({ status })
            const { id } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { id: string }
            resolve({ status, id })
          })
          res.on('error', () => resolve({ status: 0 }))
        },
      )
      req.on('error', () => resolve({ status: 0 }))
      req.end(this.#body)
    })
  }

  /**
   * Submits over `clients` concurrent connections until `count` messages were
   * sent or `durationMs` passed, whichever comes first.
   */
  async burst(
    limit: { count?: number; durationMs?: number },
    clients: number,
  ): Promise<BurstResult> {
    const accepted: Ledger = new Map()
    const refused = new Map<number, number>()
    const count = limit.count ?? Number.POSITIVE_INFINITY
    const startedAt = Date.now()
    const stopAt = startedAt + (limit.durationMs ?? Number.POSITIVE_INFINITY)
    let sent = 0
    const client = async () => {
      while (sent < count && Date.now() < stopAt) {
        sent++
        const sentAt = Date.now()
        const { status, id } = await this.submit()
        if (id !== undefined) accepted.set(id, sentAt)
        else refused.set(status, (refused.get(status) ?? 0) + 1)
      }
    }
    await Promise.all(Array.from({ length: clients }, client))
    return { accepted, refused, startedAt, finishedAt: Date.now() }
  }

  /**
   * Submits at a steady `perSecond` until stopped, without waiting for one
   * answer before the next send. Returns the live ledger and a stop function
   * that resolves once every answer is in.
   */
  steady(perSecond: number): { accepted: Ledger; stop: () => Promise<void> } {
    const accepted: Ledger = new Map()
    const pending = new Set<Promise<void>>()
    const timer = setInterval(() => {
      const sentAt = Date.now()
      const p = this.submit().then(({ id }) => {
        if (id !== undefined) accepted.set(id, sentAt)
      })
      pending.add(p)
      void p.finally(() => pending.delete(p))
    }, 1000 / perSecond)
    return {
      accepted,
      stop: async () => {
        clearInterval(timer)
        await Promise.all(pending)
      },
    }
  }

  close(): void {
    this.#agent.destroy()
  }
}

/** Describes refusals compactly, e.g. `507x3, 0x1`; empty when there were none. */
export function describeRefusals(refused: Map<number, number>): string {
  return [...refused].map(([status, n]) => `${status}x${n}`).join(', ')
}
