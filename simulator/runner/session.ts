import type { Server } from 'node:http'
import { join } from 'node:path'
import type { Logger } from '../../node/core/log.ts'
import type { Scenario } from '../scenario/types.ts'
import { FaultInjector } from './faults.ts'
import { GatewayProcess } from './gateway-process.ts'
import { buildMesh, type Mesh, type MeshNode } from './mesh.ts'
import { Progress, type ProgressSnapshot } from './progress.ts'
import { Recorder } from './recorder.ts'
import { Sampler } from './sampler.ts'
import {
  createDrillMetrics,
  type DrillMetrics,
  removeTargets,
  serveMetrics,
  targetGroups,
  targetsFileFor,
  writeTargets,
} from './service-discovery.ts'
import { Tally } from './tally.ts'
import { TrafficGenerator } from './traffic.ts'

export interface SessionOptions {
  scenario: Scenario
  runDir: string
  logger: Logger
  /** Gateway script to run instead of the real CLI (tests use a fake). */
  script?: string
  /** Where the live progress line goes. */
  progressOut: NodeJS.WritableStream & { isTTY?: boolean; columns?: number }
  /** Shared Prometheus file_sd path; false for none. @default runs/prometheus/<run>.json */
  targetsFile?: string | false
  /** Gateways started at once; each start costs a core for a second or two. @default 4 */
  startConcurrency?: number
}

/**
 * Everything a drill holds while it runs, and the one place that lets it all
 * go: gateway processes, proxies, the recorder, the metrics endpoint, the
 * service-discovery file and the timers.
 */
export class DrillSession {
  readonly options: SessionOptions
  readonly log: Logger
  readonly recorder: Recorder
  readonly metrics: DrillMetrics
  readonly tally: Tally
  readonly gateways = new Map<string, GatewayProcess>()
  mesh: Mesh | undefined
  traffic: TrafficGenerator | undefined
  faults: FaultInjector | undefined
  sampler: Sampler | undefined
  progress: Progress | undefined
  phase = 'starting'
  t0 = Date.now()
  /** Gateways that exited on their own: a crash the verdict must mention. */
  readonly crashes: string[] = []
  #metricsServer: Server | undefined
  #targetsFile: string | undefined

  constructor(options: SessionOptions) {
    this.options = options
    this.log = options.logger.child({ component: 'drill' })
    this.recorder = new Recorder(options.logger)
    this.metrics = createDrillMetrics(
      () => [...this.gateways.values()].filter((g) => g.running).length,
    )
    this.tally = new Tally(this.metrics)
    this.recorder.onDelivery = (d) => this.tally.recordedDelivery(d)
  }

  /** Lays out the mesh, starts the gateways and publishes the scrape targets. */
  async setUp(signal?: AbortSignal): Promise<void> {
    const { scenario, runDir } = this.options
    await this.recorder.listen()
    const { server, port } = await serveMetrics(this.metrics.registry)
    this.#metricsServer = server
    this.mesh = await buildMesh(scenario, {
      runDir,
      serviceUrl: (node, service) => this.recorder.serviceUrl(node, service),
      logger: this.options.logger,
    })
    for (const node of this.mesh.nodes.values()) this.gateways.set(node.id, this.#gateway(node))
    await this.#startAll(signal)
    const groups = targetGroups(scenario.name, [...this.mesh.nodes.values()], port)
    await writeTargets(join(runDir, 'prometheus-targets.json'), groups)
    if (this.options.targetsFile !== false) {
      this.#targetsFile = this.options.targetsFile ?? targetsFileFor(runDir)
      await writeTargets(this.#targetsFile, groups)
    }
    this.#wireRunParts()
  }

  #gateway(node: MeshNode): GatewayProcess {
    const options = {
      name: node.id,
      configFile: node.configFile,
      logFile: node.logFile,
      apiUrl: node.apiUrl,
      logger: this.options.logger,
      onUnexpectedExit: (name: string) => {
        this.crashes.push(name)
      },
    }
    return new GatewayProcess(
      this.options.script === undefined ? options : { ...options, script: this.options.script },
    )
  }

  async #startAll(signal?: AbortSignal): Promise<void> {
    const queue = [...this.gateways.values()]
    const worker = async () => {
      for (let g = queue.shift(); g !== undefined; g = queue.shift()) {
        await g.start(signal)
      }
    }
    await Promise.all(Array.from({ length: this.options.startConcurrency ?? 4 }, worker))
  }

  #wireRunParts(): void {
    const { scenario } = this.options
    const apiUrl = (node: string) => this.gateways.get(node)!.apiUrl
    this.traffic = new TrafficGenerator(scenario.traffic, {
      apiUrl,
      logger: this.options.logger,
      onSubmit: () => this.tally.submitted(),
      onOutcome: (record) => this.tally.answered(record),
    })
    this.faults = new FaultInjector({
      proxies: this.mesh!.proxies,
      gateways: this.gateways,
      links: scenario.links,
      logger: this.options.logger,
      onChange: ({ kind, target, active }) =>
        this.metrics.faultActive.set({ kind, target }, active ? 1 : 0),
    })
    this.sampler = new Sampler(this.gateways.values())
    this.progress = new Progress(this.options.progressOut, () => this.snapshot())
  }

  snapshot(): ProgressSnapshot {
    const t = this.tally
    return {
      phase: this.phase,
      elapsedMs: Date.now() - this.t0,
      durationMs: this.options.scenario.durationMs,
      sent: t.sent,
      accepted: t.accepted,
      delivered: t.delivered,
      inFlight: t.inFlight,
      faults: this.faults?.active() ?? [],
    }
  }

  /** Kills every gateway at once with SIGKILL; safe to call from an exit handler. */
  killNow(): void {
    for (const g of this.gateways.values()) g.killNow()
  }

  /** Stops everything this session started. Never throws; safe to call twice. */
  async tearDown(): Promise<void> {
    this.progress?.stop()
    this.sampler?.stop()
    this.traffic?.stop()
    this.faults?.cancel()
    const quietly = (p: Promise<unknown> | undefined) => p?.catch(() => undefined)
    await Promise.all([...this.gateways.values()].map((g) => quietly(g.stop())))
    await quietly(this.faults?.idle())
    this.killNow()
    await quietly(this.mesh?.close())
    await quietly(this.recorder.close())
    const server = this.#metricsServer
    if (server !== undefined) {
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    }
    if (this.#targetsFile !== undefined) await quietly(removeTargets(this.#targetsFile))
  }
}
