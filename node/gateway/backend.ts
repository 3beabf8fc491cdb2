import { readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { ApiBackend } from '../api/server.ts'
import type { Submission } from '../delivery/outbox.ts'
import type { StatusRecord, StoredReply } from '../store/types.ts'
import type { Gateway } from './gateway.ts'

/** The local API's view of a running gateway. */
export class GatewayBackend implements ApiBackend {
  readonly #gw: Gateway
  #diskBytes = 0
  #diskMeasuredAt = 0

  constructor(gateway: Gateway) {
    this.#gw = gateway
  }

  submit(sub: Submission): Promise<StatusRecord> {
    return this.#gw.outbox.submit(sub)
  }

  async status(id: string): Promise<StatusRecord | undefined> {
    const record = await this.#gw.store.getStatus(id)
    // "queued" until the first hop took custody; after that the message is on its way.
    if (record?.status === 'queued' && !this.#gw.store.isQueued(id)) {
      return { ...record, status: 'in-transit' }
    }
    return record
  }

  async call(sub: Submission, deadlineMs: number): Promise<{ id: string; reply?: StoredReply }> {
    const record = await this.#gw.outbox.submit({ ...sub, expectReply: true })
    const { promise, resolve } = Promise.withResolvers<StoredReply | undefined>()
    const unlisten = this.#gw.receipts.listen((id, body) => {
      if (id === record.id) resolve(body.reply)
    })
    const timer = setTimeout(() => resolve(undefined), deadlineMs)
    try {
      const reply = await promise
      return reply === undefined ? { id: record.id } : { id: record.id, reply }
    } finally {
      clearTimeout(timer)
      unlisten()
    }
  }

  healthy(): boolean {
    return true
  }

  readiness() {
    const gw = this.#gw
    const roster = gw.roster.state()
    const checks = {
      started: gw.ready,
      roster,
      rosterVersion: gw.roster.roster.version,
      linksUp: gw.links.upNeighbours().length,
      neighbours: gw.links.neighbours().length,
    }
    return { ready: gw.ready && roster !== 'expired', checks }
  }

  async metrics() {
    await this.#refreshGauges()
    const registry = this.#gw.metrics.registry
    return { contentType: registry.contentType, body: await registry.metrics() }
  }

  async #refreshGauges(): Promise<void> {
    const { metrics, store, links } = this.#gw
    const usage = store.usage()
    metrics.queueMessages.reset()
    metrics.queueBytes.reset()
    for (const q of usage.queues) {
      metrics.queueMessages.set({ destination: q.dst, priority: q.priority }, q.messages)
      metrics.queueBytes.set({ destination: q.dst, priority: q.priority }, q.bytes)
    }
    metrics.inboundMessages.set(usage.inbound.messages)
    metrics.storeMessages.set(usage.messages)
    metrics.storeBytes.set(usage.bytes)
    metrics.storeDiskBytes.set(await this.#diskUsage())
    for (const link of links.snapshot()) {
      metrics.linkUp.set({ peer: link.peer }, link.up ? 1 : 0)
      if (link.rttMs !== undefined) metrics.linkRtt.set({ peer: link.peer }, link.rttMs / 1000)
      metrics.linkLoss.set({ peer: link.peer }, link.loss)
      metrics.linkThroughput.set({ peer: link.peer }, link.throughputBps / 8)
    }
    this.#gw.routing.publishMetrics()
    this.#gw.roster.state()
  }

  /** Size of the store directory, measured at most every 10 s (a directory walk is not free). */
  async #diskUsage(): Promise<number> {
    if (Date.now() - this.#diskMeasuredAt < 10_000) return this.#diskBytes
    const dir = join(this.#gw.config.dataDir, 'store')
    let total = 0
    for (const name of await readdir(dir).catch(() => [] as string[])) {
      total += await stat(join(dir, name)).then(
        (s) => s.size,
        () => 0,
      )
    }
    this.#diskBytes = total
    this.#diskMeasuredAt = Date.now()
    return total
  }

  readonly views = {
    peers: () =>
      this.#gw.host.getConnections().map((c) => ({
        peerId: c.remotePeer.toString(),
        name: this.#gw.roster.roster.memberByPeerId(c.remotePeer.toString())?.name,
        address: c.remoteAddr.toString(),
        direction: c.direction,
        status: c.status,
      })),
    links: () => this.#gw.links.snapshot(),
    routes: () => this.#gw.routing.snapshot(),
    queues: () => {
      const usage = this.#gw.store.usage()
      const outbound = usage.queues.reduce(
        (acc, q) => ({ messages: acc.messages + q.messages, bytes: acc.bytes + q.bytes }),
        { messages: 0, bytes: 0 },
      )
      const backlog = this.#gw.startupBacklog
      for (const id of backlog) if (!this.#gw.store.isQueued(id)) backlog.delete(id)
      return {
        ...usage,
        outbound,
        inFlight: this.#gw.forwarder.inFlight,
        startupBacklog: backlog.size,
      }
    },
  }
}
