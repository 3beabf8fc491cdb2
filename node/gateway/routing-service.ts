import type { Config } from '../config/schema.ts'
import type { Logger } from '../core/log.ts'
import type { Identity } from '../identity/keys.ts'
import { linkCost } from '../link/cost.ts'
import type { Metrics } from '../metrics/catalogue.ts'
import type { LinkManager, ProbeMonitor } from '../overlay/links.ts'
import type { Path } from '../routing/graph.ts'
import { LinkStateIssuer, type LinkStateLink } from '../routing/link-state.ts'
import { LinkStateDb } from '../routing/link-state-db.ts'
import { RouteTable } from '../routing/route-table.ts'
import type { Roster } from '../trust/roster.ts'
import { createProbeMonitor } from './probe-monitor.ts'

export interface RoutingServiceOptions {
  self: string
  identity: Identity
  roster(): Roster
  config: Config
  logger: Logger
  metrics?: Metrics
}

/** How often this gateway re-issues its link-state record even when nothing changed. */
const REFRESH_MS = 5_000
/** Records not refreshed for this long are dropped: their origin has vanished. */
const MAX_AGE_MS = 4 * REFRESH_MS
/** Link changes within this window share one new record. */
const ISSUE_DEBOUNCE_MS = 20

/**
 * Link-state routing for one gateway: issues signed records of its own links
 * whenever a link goes up or down (and periodically, with fresh costs), floods
 * records it learns to its other neighbours, and keeps the route table of
 * node-disjoint paths current. Dispatches `change` when a best next hop moves.
 */
export class RoutingService extends EventTarget {
  readonly #o: RoutingServiceOptions
  readonly #db: LinkStateDb
  readonly #table: RouteTable
  readonly #issuer: LinkStateIssuer
  #links: LinkManager | undefined
  #issueTimer: NodeJS.Timeout | undefined
  #refresh: NodeJS.Timeout | undefined
  #stopped = false

  constructor(options: RoutingServiceOptions) {
    super()
    this.#o = options
    const log = options.logger
    this.#db = new LinkStateDb({
      resolvePeerId: (name) => options.roster().member(name)?.peerId,
      maxAgeMs: MAX_AGE_MS,
      logger: log,
    })
    this.#table = new RouteTable({
      self: options.self,
      graph: () => this.#db.graph(),
      paths: options.config.routing.paths,
      logger: log,
    })
    this.#issuer = new LinkStateIssuer({
      origin: options.self,
      peerId: options.identity.peerId.toString(),
      privateKey: options.identity.privateKey,
    })
    this.#db.addEventListener('change', () => this.#table.invalidate())
    this.#table.addEventListener('change', (e) => {
      options.metrics?.routeChanges.inc({ destination: e.detail.destination })
      this.dispatchEvent(new CustomEvent('change', { detail: e.detail }))
    })
  }

  attach(links: LinkManager): void {
    this.#links = links
    links.addEventListener('change', (e) => {
      this.#scheduleIssue()
      const { peer, up } = (e as CustomEvent<{ peer: string; up: boolean }>).detail
      if (up) this.#syncNeighbour(peer)
    })
  }

  start(): void {
    this.#scheduleIssue()
    this.#refresh = setInterval(() => {
      this.#db.expire()
      this.#scheduleIssue()
    }, REFRESH_MS)
    this.#refresh.unref()
  }

  stop(): void {
    this.#stopped = true
    clearTimeout(this.#issueTimer)
    clearInterval(this.#refresh)
    this.#table.stop()
  }

  createMonitor(peer: string, send: (seq: number) => void, onChange: () => void): ProbeMonitor {
    return createProbeMonitor(this.#o.config.link, peer, send, onChange)
  }

  /** A record flooded by neighbour `from`. */
  receive(bytes: Uint8Array, from: string): void {
    void this.#db.apply(bytes).then((outcome) => {
      if (outcome.result === 'newer') this.#links?.flood('linkState', bytes, from)
      else if (outcome.result === 'invalid') {
        this.#o.metrics?.rejected.inc({ reason: 'BAD_LINK_STATE' })
        this.#o.logger.warn({ from, reason: outcome.reason }, 'refused link-state record')
      }
    })
  }

  /** The roster changed: forget records of members that left. */
  rosterChanged(): void {
    this.#db.revalidate()
  }

  paths(dst: string): Path[] {
    return this.#table.paths(dst)
  }

  snapshot() {
    return {
      ...this.#table.snapshot(),
      linkState: this.#db.records().map((r) => ({
        origin: r.origin,
        seq: r.seq,
        issuedAt: new Date(r.issuedAt).toISOString(),
        links: r.links,
      })),
    }
  }

  publishMetrics(): void {
    const m = this.#o.metrics
    if (m === undefined) return
    m.routesAvailable.reset()
    for (const member of this.#o.roster().members()) {
      if (member.name === this.#o.self) continue
      m.routesAvailable.set({ destination: member.name }, this.#table.paths(member.name).length)
    }
  }

  #scheduleIssue(): void {
    if (this.#stopped || this.#issueTimer !== undefined) return
    this.#issueTimer = setTimeout(() => {
      this.#issueTimer = undefined
      void this.#issue()
    }, ISSUE_DEBOUNCE_MS)
  }

  async #issue(): Promise<void> {
    const links = this.#links
    if (links === undefined || this.#stopped) return
    const up: LinkStateLink[] = links
      .snapshot()
      .filter((l) => l.up)
      .map((l) => ({
        peer: l.peer,
        rttMs: l.rttMs ?? 0,
        loss: l.loss,
        cost: linkCost(
          { rttMs: l.rttMs ?? 0, loss: l.loss },
          { lossPenalty: this.#o.config.routing.lossPenalty },
        ),
      }))
    const { bytes } = await this.#issuer.issue(up)
    const outcome = await this.#db.apply(bytes)
    if (outcome.result !== 'newer') {
      this.#o.logger.warn({ reason: outcome.reason }, 'own link-state record not applied')
      return
    }
    links.flood('linkState', bytes)
  }

  /** A neighbour just came up: give it every record we hold so it routes at once. */
  #syncNeighbour(peer: string): void {
    for (const record of this.#db.records()) {
      const bytes = this.#db.encoded(record.origin)
      if (bytes !== undefined) this.#links?.sendTo(peer, 'linkState', bytes)
    }
  }
}
