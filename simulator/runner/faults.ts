import { type Logger, silentLogger } from '../../node/core/log.ts'
import type { LinkProxy } from '../proxy/link-proxy.ts'
import type { DrillLink, FaultAction } from '../scenario/types.ts'
import { readBacklog } from './gateway-api.ts'
import type { GatewayProcess } from './gateway-process.ts'

/** A timeline action as it was actually applied. */
export interface AppliedFault {
  /** Unix ms when it took effect. */
  at: number
  action: FaultAction
}

/** One power loss and what followed it. All times are Unix ms. */
export interface PowerCycle {
  node: string
  label: string
  killedAt: number
  restartedAt?: number
  /** When `/readyz` answered 200 again. */
  readyAt?: number
  /** When the outbound backlog was first seen at zero after the restart. */
  drainedAt?: number
  /** Why the restart failed, when it did. */
  error?: string
}

export interface FaultInjectorOptions {
  proxies: Map<string, LinkProxy>
  gateways: Map<string, GatewayProcess>
  links: DrillLink[]
  logger?: Logger
  /** How often the backlog of a restarted gateway is polled. @default 250 ms */
  drainPollMs?: number
  /** Told whenever a fault on a target starts or ends (for metrics). */
  onChange?: (change: FaultChange) => void
}

/** A fault on one link or node coming into force (`active`) or ending. */
export interface FaultChange {
  kind: 'cut' | 'degrade' | 'power-loss'
  /** Link id or node id. */
  target: string
  active: boolean
}

/**
 * Applies a scenario's timeline at the right moments: cuts, restores and
 * degradations on the link proxies, power losses on the gateway processes.
 * After each restart it watches the gateway's backlog to time its recovery.
 */
export class FaultInjector {
  readonly applied: AppliedFault[] = []
  readonly powerCycles: PowerCycle[] = []
  readonly #options: FaultInjectorOptions
  readonly #log: Logger
  readonly #timers = new Set<NodeJS.Timeout>()
  readonly #work = new Set<Promise<void>>()
  readonly #cutLinks = new Map<string, string>()
  readonly #degradedLinks = new Map<string, string>()
  readonly #downNodes = new Map<string, string>()
  readonly #abort = new AbortController()

  constructor(options: FaultInjectorOptions) {
    this.#options = options
    this.#log = (options.logger ?? silentLogger()).child({ component: 'faults' })
  }

  /** Schedules every action relative to `t0` (Unix ms). */
  start(timeline: FaultAction[], t0: number): void {
    for (const action of timeline) {
      this.#later(t0 + action.at - Date.now(), () => this.#apply(action))
    }
  }

  /** Labels of faults in force now: cut links, degraded links, powered-off gateways. */
  active(): string[] {
    return [
      ...new Set([
        ...this.#cutLinks.values(),
        ...this.#degradedLinks.values(),
        ...this.#downNodes.values(),
      ]),
    ]
  }

  /** Waits until pending restarts and recovery measurements are over (call after cancel). */
  async idle(): Promise<void> {
    while (this.#work.size > 0 || this.#timers.size > 0) {
      await Promise.race([...this.#work, new Promise((r) => setTimeout(r, 100))])
    }
  }

  /** Cancels everything not yet applied, pending restarts included. */
  cancel(): void {
    this.#abort.abort()
    for (const timer of this.#timers) clearTimeout(timer)
    this.#timers.clear()
  }

  #later(delayMs: number, run: () => void | Promise<void>): void {
    const timer = setTimeout(
      () => {
        this.#timers.delete(timer)
        this.#track(Promise.resolve().then(run))
      },
      Math.max(0, delayMs),
    )
    this.#timers.add(timer)
  }

  #track(work: Promise<void>): void {
    const tracked = work.catch((err: unknown) => {
      this.#log.error({ err }, 'fault action failed')
    })
    const done = tracked.finally(() => this.#work.delete(done))
    this.#work.add(done)
  }

  #apply(action: FaultAction): void {
    this.applied.push({ at: Date.now(), action })
    this.#log.info({ kind: action.kind, label: action.label }, 'fault applied')
    switch (action.kind) {
      case 'cut':
        for (const id of action.links) {
          this.#proxy(id).cut({ mode: action.mode, direction: action.direction })
          this.#cutLinks.set(id, action.label)
          this.#changed('cut', id, true)
        }
        return
      case 'restore':
        for (const id of action.links) this.#restore(id)
        return
      case 'degrade':
        for (const id of action.links) {
          this.#proxy(id).degrade(action.conditions)
          this.#degradedLinks.set(id, action.label)
          this.#changed('degrade', id, true)
        }
        return
      case 'powerLoss':
        this.#track(this.#powerLoss(action.node, action.forMs, action.label))
        return
    }
  }

  /** A restore brings the link back to its baseline conditions, undoing any degrade. */
  #restore(id: string): void {
    const proxy = this.#proxy(id)
    proxy.restore()
    const link = this.#options.links.find((l) => l.id === id)
    if (link !== undefined && this.#degradedLinks.has(id)) {
      proxy.degrade({
        latencyMs: link.latencyMs,
        jitterMs: link.jitterMs,
        lossRatio: link.lossRatio,
        bandwidthBps: link.bandwidthBps ?? 0,
      })
    }
    if (this.#cutLinks.delete(id)) this.#changed('cut', id, false)
    if (this.#degradedLinks.delete(id)) this.#changed('degrade', id, false)
  }

  #changed(kind: FaultChange['kind'], target: string, active: boolean): void {
    this.#options.onChange?.({ kind, target, active })
  }

  async #powerLoss(node: string, forMs: number, label: string): Promise<void> {
    const gateway = this.#options.gateways.get(node)
    if (gateway === undefined) throw new Error(`power loss names unknown node ${node}`)
    const cycle: PowerCycle = { node, label, killedAt: Date.now() }
    this.powerCycles.push(cycle)
    this.#downNodes.set(node, label)
    this.#changed('power-loss', node, true)
    await gateway.powerLoss()
    this.#later(cycle.killedAt + forMs - Date.now(), () => this.#restart(gateway, cycle))
  }

  async #restart(gateway: GatewayProcess, cycle: PowerCycle): Promise<void> {
    cycle.restartedAt = Date.now()
    try {
      await gateway.start(this.#abort.signal)
      cycle.readyAt = Date.now()
    } catch (err) {
      cycle.error = (err as Error).message
      this.#log.error({ node: gateway.name, err }, 'gateway did not come back')
      return
    } finally {
      this.#downNodes.delete(gateway.name)
      this.#changed('power-loss', gateway.name, false)
    }
    await this.#timeDrain(gateway, cycle)
  }

  async #timeDrain(gateway: GatewayProcess, cycle: PowerCycle): Promise<void> {
    const every = this.#options.drainPollMs ?? 250
    while (!this.#abort.signal.aborted && gateway.running) {
      const backlog = await readBacklog(gateway.apiUrl)
      // Drained: everything the gateway held at its restart has left it (traffic
      // it relays since then is not its backlog); a gateway that does not say
      // falls back to an empty outbound queue.
      const held = backlog?.startupBacklog ?? backlog?.outbound
      if (held === 0) {
        cycle.drainedAt = Date.now()
        this.#log.info({ node: gateway.name, ms: cycle.drainedAt - cycle.restartedAt! }, 'drained')
        return
      }
      await new Promise((r) => setTimeout(r, every))
    }
  }

  #proxy(id: string): LinkProxy {
    const proxy = this.#options.proxies.get(id)
    if (proxy === undefined) throw new Error(`fault names unknown link ${id}`)
    return proxy
  }
}
