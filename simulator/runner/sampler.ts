import { readBacklog } from './gateway-api.ts'
import type { GatewayProcess } from './gateway-process.ts'

export interface BacklogSample {
  /** Unix ms. */
  at: number
  node: string
  outbound: number
  inbound: number
}

/**
 * Once a second, asks every running gateway for its backlog (for the report's
 * queue-depth chart) and reads its resident memory (for sizing drills to the
 * machine). A gateway that does not answer simply has no sample that second.
 */
export class Sampler {
  readonly samples: BacklogSample[] = []
  /** Largest resident set seen per gateway, in bytes. */
  readonly peakRss = new Map<string, number>()
  readonly #gateways: GatewayProcess[]
  readonly #everyMs: number
  #timer: NodeJS.Timeout | undefined
  #busy = false

  constructor(gateways: Iterable<GatewayProcess>, everyMs = 1000) {
    this.#gateways = [...gateways]
    this.#everyMs = everyMs
  }

  start(): void {
    this.#timer = setInterval(() => void this.sample(), this.#everyMs)
  }

  stop(): void {
    clearInterval(this.#timer)
    this.#timer = undefined
  }

  /** Takes one round of samples; skipped when the previous round is still out. */
  async sample(): Promise<void> {
    if (this.#busy) return
    this.#busy = true
    try {
      await Promise.all(this.#gateways.map((g) => this.#sampleOne(g)))
    } finally {
      this.#busy = false
    }
  }

  async #sampleOne(gateway: GatewayProcess): Promise<void> {
    if (!gateway.running) return
    const rss = gateway.rssBytes()
    if (rss !== undefined && rss > (this.peakRss.get(gateway.name) ?? 0)) {
      this.peakRss.set(gateway.name, rss)
    }
    const at = Date.now()
    const backlog = await readBacklog(gateway.apiUrl, Math.min(900, this.#everyMs))
    if (backlog !== undefined) this.samples.push({ at, node: gateway.name, ...backlog })
  }
}
