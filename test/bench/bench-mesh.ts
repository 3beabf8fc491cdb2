import { rmSync } from 'node:fs'
import { readBacklog } from '../../simulator/runner/gateway-api.ts'
import { TestMesh } from '../integration/helpers/test-mesh.ts'
import { onInterrupt } from './cleanup.ts'

/** Polls `check` every `everyMs` until it holds; false when `timeoutMs` passed first. */
export async function until(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  everyMs = 20,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (await check()) return true
    if (Date.now() > deadline) return false
    await new Promise((r) => setTimeout(r, everyMs))
  }
}

/** Reads counters and gauges without labels from a Prometheus text exposition. */
export function parseMetrics(text: string): Map<string, number> {
  const values = new Map<string, number>()
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)\s+(\S+)$/.exec(line)
    if (match !== null) values.set(match[1]!, Number(match[2]))
  }
  return values
}

/**
 * Real gateway processes for a figure (a TestMesh, as the integration tests
 * use), plus what benchmarks need around it: waiting for routes and for
 * queues to empty, first-arrival times at the service, metric scrapes, and
 * no gateway left running if the benchmark is interrupted.
 */
export class BenchMesh {
  readonly mesh: TestMesh
  readonly #forget: () => void
  /** First arrival time (ms) of each message id at the test service. */
  readonly #firstArrival = new Map<string, number>()
  #scanned = 0
  duplicates = 0

  private constructor(mesh: TestMesh) {
    this.mesh = mesh
    this.#forget = onInterrupt(() => {
      for (const gw of mesh.gateways.values()) gw.killNow()
      rmSync(mesh.dir, { recursive: true, force: true })
    })
  }

  /**
   * Lays out the nodes and links (`a` dials `b` through proxy `a-b`) and starts
   * every gateway, with the config defaults unless `gateway` overrides some.
   */
  static async start(
    nodes: string[],
    links: Array<[string, string]>,
    gateway: Record<string, unknown> = {},
  ): Promise<BenchMesh> {
    const bench = new BenchMesh(await TestMesh.create({ nodes, links, gateway }))
    try {
      await bench.mesh.startAll()
    } catch (err) {
      await bench.close()
      throw err
    }
    return bench
  }

  apiUrl(node: string): string {
    return this.mesh.gateway(node).apiUrl
  }

  /** Waits until `from` holds at least `paths` paths to `to` with a usable next hop. */
  async waitForRoute(from: string, to: string, paths = 1, timeoutMs = 30_000): Promise<void> {
    const ok = await until(async () => {
      const res = await this.mesh.api(from, '/v1/routes').catch(() => undefined)
      const dests = (res?.body?.destinations ?? []) as Array<{
        destination: string
        paths: unknown[]
      }>
      const entry = dests.find((d) => d.destination === to)
      return entry !== undefined && entry.paths.length >= paths
    }, timeoutMs)
    if (!ok) throw new Error(`${from} found no ${paths} path(s) to ${to} within ${timeoutMs} ms`)
  }

  /** Whether `from` reports its link to `peer` up. */
  async linkUp(from: string, peer: string): Promise<boolean> {
    const res = await this.mesh.api(from, '/v1/links').catch(() => undefined)
    const links = (Array.isArray(res?.body) ? res.body : []) as Array<{ peer: string; up: boolean }>
    return links.some((l) => l.peer === peer && l.up)
  }

  /** Waits until every running gateway has nothing queued outbound or inbound (receipts too). */
  async waitIdle(timeoutMs = 60_000): Promise<void> {
    const gateways = [...this.mesh.gateways.values()].filter((g) => g.running)
    const ok = await until(
      async () => {
        const backlogs = await Promise.all(gateways.map((g) => readBacklog(g.apiUrl)))
        return backlogs.every((b) => b !== undefined && b.outbound === 0 && b.inbound === 0)
      },
      timeoutMs,
      100,
    )
    if (!ok) throw new Error(`queues did not empty within ${timeoutMs} ms`)
  }

  /** The unlabelled metrics of one gateway. */
  async scrape(node: string): Promise<Map<string, number>> {
    const res = await fetch(`${this.apiUrl(node)}/metrics`)
    return parseMetrics(await res.text())
  }

  /** Forgets recorded arrivals (between trials, so memory stays flat). */
  clearArrivals(): void {
    this.mesh.service.arrivals.length = 0
    this.#scanned = 0
    this.#firstArrival.clear()
    this.duplicates = 0
  }

  /** First arrival times by message id, brought up to date with the service's record. */
  arrivals(): ReadonlyMap<string, number> {
    const all = this.mesh.service.arrivals
    for (; this.#scanned < all.length; this.#scanned++) {
      const a = all[this.#scanned]!
      if (this.#firstArrival.has(a.id)) this.duplicates++
      else this.#firstArrival.set(a.id, a.at)
    }
    return this.#firstArrival
  }

  /** Waits until every id in `ids` has arrived; false on timeout. */
  waitArrived(ids: Iterable<string>, timeoutMs: number, everyMs = 20): Promise<boolean> {
    const wanted = [...ids]
    let checked = 0
    return until(
      () => {
        const seen = this.arrivals()
        while (checked < wanted.length && seen.has(wanted[checked]!)) checked++
        return checked === wanted.length
      },
      timeoutMs,
      everyMs,
    )
  }

  async close(): Promise<void> {
    await this.mesh.close()
    this.#forget()
  }
}
