import { mkdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Stream } from '@libp2p/interface'
import { buildApi } from '../api/server.ts'
import type { Config } from '../config/schema.ts'
import type { Envelope } from '../core/envelope.ts'
import type { Logger } from '../core/log.ts'
import { GatewayCustody } from '../custody/custody-policy.ts'
import { ExpiryWatch } from '../custody/expiry.ts'
import { Forwarder } from '../custody/forwarder.ts'
import { serveCustodyStream } from '../custody/intake.ts'
import { Deliverer } from '../delivery/deliverer.ts'
import { Outbox } from '../delivery/outbox.ts'
import { ReceiptInbox } from '../delivery/receipts.ts'
import { type Identity, loadOrCreateIdentity } from '../identity/keys.ts'
import { createMetrics, type Metrics } from '../metrics/catalogue.ts'
import type { FloodKind } from '../overlay/control.ts'
import { createHost, type Host } from '../overlay/host.ts'
import { LinkManager } from '../overlay/links.ts'
import { openCustodyStore } from '../store/index.ts'
import type { CustodyStore } from '../store/types.ts'
import { parseAuthorityKey } from '../trust/authority-key.ts'
import { verifyEnvelope } from '../trust/envelope-signing.ts'
import { GatewayBackend } from './backend.ts'
import { admissionPolicy, resolveNeighbours } from './neighbours.ts'
import { NextHops } from './next-hops.ts'
import { RosterKeeper } from './roster-keeper.ts'
import { RoutingService } from './routing-service.ts'

/** Clock skew tolerated between gateways when checking an envelope's creation time. */
const MAX_SKEW_MS = 5 * 60_000

/**
 * One Lifeline gateway: the custody store, the overlay host and its links,
 * routing, forwarding, local delivery and the local API, wired together.
 * `start()` brings them up in dependency order; `stop()` takes them down in
 * reverse, finishing in-flight custody writes before the store closes.
 */
export class Gateway {
  readonly config: Config
  readonly log: Logger
  readonly metrics: Metrics
  identity!: Identity
  store!: CustodyStore
  host!: Host
  links!: LinkManager
  roster!: RosterKeeper
  routing!: RoutingService
  forwarder!: Forwarder
  deliverer!: Deliverer
  outbox!: Outbox
  receipts!: ReceiptInbox
  expiry!: ExpiryWatch
  api!: ReturnType<typeof buildApi>
  /**
   * Messages this gateway held when it started (after a crash, its custody
   * obligations); `/v1/queues` reports how many are still here, so operators
   * and drills can tell when the restart backlog has drained.
   */
  startupBacklog = new Set<string>()
  #started = false
  #stopping = false

  constructor(config: Config, logger: Logger) {
    this.config = config
    this.log = logger
    this.metrics = createMetrics()
  }

  get self(): string {
    return this.config.name
  }

  get ready(): boolean {
    return this.#started && !this.#stopping
  }

  async start(): Promise<void> {
    const { config } = this
    await mkdir(config.dataDir, { recursive: true, mode: 0o700 })
    this.identity = await loadOrCreateIdentity(config.dataDir)
    this.roster = new RosterKeeper({
      file: config.roster,
      authorityKey: parseAuthorityKey(config.authorityKey),
      graceMs: config.rosterGrace,
      logger: this.log.child({ component: 'roster' }),
      metrics: this.metrics,
    })
    const roster = await this.roster.load()
    this.store = await openCustodyStore({
      dir: join(config.dataDir, 'store'),
      limits: { maxMessages: config.store.maxMessages, maxBytes: config.store.maxBytes },
      groupCommitWindowMs: config.store.groupCommitWindow,
      logger: this.log.child({ component: 'store' }),
      metrics: this.metrics,
    })
    this.metrics.storeQuotaBytes.set(config.store.maxBytes)
    this.startupBacklog = new Set(this.store.queuedIds())
    const neighbours = resolveNeighbours(config, roster)
    this.host = await createHost({
      privateKey: this.identity.privateKey,
      listen: config.listen,
      announce: config.announce,
      policy: admissionPolicy(config, neighbours, () => this.roster.roster),
      dht: config.discovery === 'dht',
      ...(config.pnetKey === undefined ? {} : { pnetKey: await readPnetKey(config.pnetKey) }),
      registry: this.metrics.registry,
    })
    this.#wireCustody(neighbours)
    this.#wireBackend()
    this.#policy = this.#custodyPolicy()
    await this.host.start()
    await this.links.start()
    this.routing.start()
    await this.expiry.start()
    await this.api.listen({ host: config.api.host, port: config.api.port })
    this.#started = true
    this.forwarder.wakeAll()
    this.deliverer.wake()
    this.log.info(
      {
        peerId: this.identity.peerId.toString(),
        overlay: this.host.getMultiaddrs().map(String),
        api: `http://${config.api.host}:${this.apiPort}`,
        neighbours: neighbours.map((n) => n.name),
        backlog: this.store.usage().messages,
      },
      'gateway started',
    )
  }

  get apiPort(): number {
    const address = this.api.server.address()
    return typeof address === 'object' && address !== null ? address.port : this.config.api.port
  }

  #wireCustody(neighbours: ReturnType<typeof resolveNeighbours>): void {
    const { config, metrics } = this
    const log = (component: string) => this.log.child({ component })
    this.routing = new RoutingService({
      self: this.self,
      identity: this.identity,
      roster: () => this.roster.roster,
      config,
      logger: log('routing'),
      metrics,
    })
    this.links = new LinkManager({
      host: this.host,
      neighbours,
      dht: config.discovery === 'dht',
      createMonitor: (peer, send, onChange) => this.routing.createMonitor(peer, send, onChange),
      onFlood: (kind, body, from) => void this.#onFlood(kind, body, from),
      onCustodyStream: (stream, from) => this.#serveCustody(stream, from),
      redial: { initial: 250, max: 2_000, jitter: 0.2 },
      ackTimeoutMs: 5_000,
      logger: log('links'),
      metrics,
    })
    this.routing.attach(this.links)
    this.forwarder = new Forwarder({
      self: this.self,
      store: this.store,
      hops: new NextHops(this.links, this.routing),
      channels: this.links,
      events: {
        forwarded: (msg, hop, ack) => {
          metrics.forwarded.inc({ kind: msg.env.core.kind })
          this.links.traffic(hop, msg.bytes)
          this.log.trace({ id: msg.env.core.id, hop, result: ack.result }, 'custody transferred')
        },
        refused: (msg, hop, ack) => void this.#refused(msg.env, hop, ack.code, ack.message),
        expired: (msg) => {
          metrics.expired.inc({ place: msg.place })
          void this.#markExpired(msg.env)
        },
      },
      retry: config.retry,
      logger: log('forwarder'),
      metrics,
    })
    this.links.addEventListener('change', (e) => {
      const { peer, up } = (e as CustomEvent<{ peer: string; up: boolean }>).detail
      // Whoever holds the newer roster wins: offering ours lets a stale neighbour catch up.
      if (up) this.links.sendTo(peer, 'roster', this.roster.encoded())
      this.forwarder.wakeAll()
    })
    this.routing.addEventListener('change', () => this.forwarder.wakeAll())
    this.roster.addEventListener('change', () => {
      this.routing.rosterChanged()
      void this.#dropNonMembers()
    })
  }

  #wireBackend(): void {
    const { config, metrics } = this
    const log = (component: string) => this.log.child({ component })
    this.receipts = new ReceiptInbox(
      this.store,
      this.identity.sealing.privateKey,
      log('receipts'),
      metrics,
    )
    this.expiry = new ExpiryWatch({
      self: this.self,
      store: this.store,
      logger: log('expiry'),
      metrics,
    })
    this.receipts.listen((id) => this.expiry.settle(id))
    this.deliverer = new Deliverer({
      store: this.store,
      services: config.services,
      receipts: {
        self: this.self,
        signer: this.identity.privateKey,
        roster: () => this.roster.roster,
        maxHops: config.messages.maxHops,
      },
      sealingSecret: this.identity.sealing.privateKey,
      retry: config.retry,
      onReceiptQueued: (dst) => this.forwarder.wake(dst),
      logger: log('delivery'),
      metrics,
    })
    this.outbox = new Outbox({
      self: this.self,
      store: this.store,
      signer: this.identity.privateKey,
      roster: () => this.roster.roster,
      assertRosterUsable: () => this.roster.assertUsable(),
      limits: config.messages,
      onQueued: (dst) => this.forwarder.wake(dst),
      onAccepted: (record) => this.expiry.track(record),
      metrics,
    })
    const backend = new GatewayBackend(this)
    this.api = buildApi({
      backend,
      tokens: config.api.tokens,
      maxPayload: config.messages.maxPayload,
      logger: log('api'),
    })
  }

  #custodyPolicy(): GatewayCustody {
    return new GatewayCustody({
      self: this.self,
      store: this.store,
      verify: (env) =>
        verifyEnvelope(env, this.roster.roster, {
          now: Date.now(),
          maxSkewMs: MAX_SKEW_MS,
          maxAgeMs: this.config.messages.maxTtl + MAX_SKEW_MS + RECEIPT_AGE_MARGIN_MS,
        }),
      isMember: (name) => this.roster.roster.member(name) !== undefined,
      onInbound: () => this.deliverer.wake(),
      onOutbound: (dst) => this.forwarder.wake(dst),
      onReceipt: (env) => this.receipts.accept(env),
      metrics: this.metrics,
    })
  }

  #serveCustody(stream: Stream, from: string): void {
    if (this.#stopping) {
      stream.abort(new Error('shutting down'))
      return
    }
    void serveCustodyStream(stream, from, this.#policy, {
      maxPendingPerPeer: 512,
      maxEnvelopeBytes: this.config.messages.maxPayload + 64 * 1024,
      logger: this.log.child({ component: 'custody', peer: from }),
      metrics: this.metrics,
    })
  }

  #policy!: GatewayCustody

  async #onFlood(kind: FloodKind, body: Uint8Array, from: string): Promise<void> {
    if (kind === 'linkState') {
      this.routing.receive(body, from)
      return
    }
    if (await this.roster.offer(body, from)) this.links.flood('roster', body, from)
  }

  /** A new roster may have removed members: their connections go now. */
  async #dropNonMembers(): Promise<void> {
    const roster = this.roster.roster
    for (const conn of this.host.getConnections()) {
      if (roster.isMemberPeer(conn.remotePeer.toString())) continue
      this.log.warn({ peer: conn.remotePeer.toString() }, 'disconnecting peer removed from roster')
      await conn.close().catch(() => conn.abort(new Error('removed from roster')))
    }
  }

  async #refused(env: Envelope, hop: string, code?: string, message?: string): Promise<void> {
    this.log.warn(
      { id: env.core.id, hop, code, reason: message },
      'next hop refused message for good',
    )
    if (env.core.src !== this.self || env.core.kind !== 'message') return
    this.expiry.settle(env.core.id)
    await this.store.updateStatus(env.core.id, {
      status: 'rejected',
      reason: code ?? 'REJECTED',
      updatedAt: Date.now(),
    })
  }

  async #markExpired(env: Envelope): Promise<void> {
    if (env.core.src !== this.self || env.core.kind !== 'message') return
    this.expiry.settle(env.core.id)
    await this.store.updateStatus(env.core.id, {
      status: 'expired',
      reason: 'EXPIRED',
      updatedAt: Date.now(),
    })
  }

  /** Clean shutdown: stop taking work, let in-flight custody writes finish, close the store. */
  async stop(): Promise<void> {
    if (this.#stopping) return
    this.#stopping = true
    this.log.info('gateway stopping')
    this.outbox?.close()
    await this.api?.close().catch(() => {})
    this.forwarder?.stop()
    this.deliverer?.stop()
    this.routing?.stop()
    this.links?.stop()
    try {
      await this.host?.stop()
    } catch (err) {
      this.log.warn({ err }, 'overlay stop failed')
    }
    await this.expiry?.stop()
    await this.store?.close()
    this.log.info('gateway stopped')
  }
}

/** Receipts outlive their message by a day (see delivery/receipts.ts). */
const RECEIPT_AGE_MARGIN_MS = 24 * 3_600_000

async function readPnetKey(file: string): Promise<Uint8Array> {
  return new Uint8Array(await readFile(file))
}
