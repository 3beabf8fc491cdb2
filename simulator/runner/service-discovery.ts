import { once } from 'node:events'
import { mkdir, rename, rm, writeFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import { dirname, join, resolve } from 'node:path'
import { Counter, Gauge, Registry } from 'prom-client'

/**
 * Where a running drill lists its scrape targets for Prometheus
 * (dashboards/prometheus.yml reads `runs/prometheus/*.json`).
 */
export const TARGETS_DIR = resolve(import.meta.dirname, '../../runs/prometheus')

/**
 * The simulator's own series, which the drill dashboard charts.
 * `gatewaysRunning` is read at each scrape.
 */
export function createDrillMetrics(gatewaysRunning: () => number, registry = new Registry()) {
  const r = [registry]
  return {
    registry,
    faultActive: new Gauge({
      name: 'lifeline_drill_fault_active',
      help: '1 while a fault is in force on a link or gateway, else 0',
      labelNames: ['kind', 'target'],
      registers: r,
    }),
    sent: new Counter({
      name: 'lifeline_drill_messages_sent_total',
      help: 'Messages the traffic generator submitted',
      registers: r,
    }),
    accepted: new Counter({
      name: 'lifeline_drill_messages_accepted_total',
      help: 'Submissions the gateways accepted with 202',
      registers: r,
    }),
    refused: new Counter({
      name: 'lifeline_drill_messages_refused_total',
      help: 'Submissions refused, by error code',
      labelNames: ['code'],
      registers: r,
    }),
    recorded: new Counter({
      name: 'lifeline_drill_messages_recorded_total',
      help: 'Deliveries recorded at destination services, duplicates included',
      registers: r,
    }),
    inFlight: new Gauge({
      name: 'lifeline_drill_messages_in_flight',
      help: 'Accepted messages not yet recorded at their destination',
      registers: r,
    }),
    lost: new Gauge({
      name: 'lifeline_drill_messages_lost',
      help: 'Accepted messages neither delivered nor expired (known once the drill ends)',
      registers: r,
    }),
    duplicated: new Gauge({
      name: 'lifeline_drill_messages_duplicated',
      help: 'Messages recorded more than once so far',
      registers: r,
    }),
    unexpected: new Gauge({
      name: 'lifeline_drill_messages_unexpected',
      help: 'Deliveries that match no submission, or arrived corrupted, so far',
      registers: r,
    }),
    gatewaysRunning: new Gauge({
      name: 'lifeline_drill_gateways_running',
      help: 'Gateway processes running',
      registers: r,
      collect() {
        this.set(gatewaysRunning())
      },
    }),
  }
}

export type DrillMetrics = ReturnType<typeof createDrillMetrics>

/** Serves a registry at `/metrics` on the loopback; resolves with the server and its port. */
export async function serveMetrics(registry: Registry): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404).end()
      return
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      () => res.writeHead(500).end(),
    )
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const address = server.address()
  const port = typeof address === 'object' && address !== null ? address.port : 0
  return { server, port }
}

/** One entry of a Prometheus file_sd list. */
export interface TargetGroup {
  targets: string[]
  labels: Record<string, string>
}

/**
 * The scrape targets of a drill: each gateway's local API (label
 * `gateway=<node>`) and the simulator's own endpoint (no `gateway` label).
 */
export function targetGroups(
  drill: string,
  gateways: Array<{ id: string; apiUrl: string }>,
  simulatorPort: number,
): TargetGroup[] {
  return [
    ...gateways.map((g) => ({
      targets: [new URL(g.apiUrl).host],
      labels: { drill, gateway: g.id },
    })),
    { targets: [`127.0.0.1:${simulatorPort}`], labels: { drill, component: 'simulator' } },
  ]
}

/** Writes a file_sd list atomically (Prometheus may read it at any moment). */
export async function writeTargets(file: string, groups: TargetGroup[]): Promise<void> {
  await mkdir(dirname(file), { recursive: true })
  const temp = `${file}.${process.pid}.tmp`
  await writeFile(temp, `${JSON.stringify(groups, null, 2)}\n`)
  await rename(temp, file)
}

/** The shared file_sd path of a drill run, named after its run directory. */
export function targetsFileFor(runDir: string, dir = TARGETS_DIR): string {
  return join(dir, `${runDir.split('/').filter(Boolean).at(-1) ?? 'drill'}.json`)
}

export async function removeTargets(file: string): Promise<void> {
  await rm(file, { force: true })
}
