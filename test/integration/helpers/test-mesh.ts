import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { silentLogger } from '../../../node/core/log.ts'
import { GatewayProcess } from '../../../simulator/runner/gateway-process.ts'
import { buildMesh, type Mesh } from '../../../simulator/runner/mesh.ts'
import type { DrillLink, Scenario } from '../../../simulator/scenario/types.ts'
import { TestService } from './test-service.ts'

export interface TestMeshOptions {
  nodes: string[]
  /**
   * Links as [a, b] or [a, b, latencyMs]: a dials b through a fault-injecting
   * proxy named `a-b` that adds the latency each way.
   */
  links: Array<[string, string] | [string, string, number]>
  /** Gateway config overrides for every node. */
  gateway?: Record<string, unknown>
}

/** Real gateway processes on loopback, wired through link proxies, with one test service. */
export class TestMesh {
  readonly dir: string
  readonly mesh: Mesh
  readonly service: TestService
  readonly gateways = new Map<string, GatewayProcess>()

  private constructor(dir: string, mesh: Mesh, service: TestService) {
    this.dir = dir
    this.mesh = mesh
    this.service = service
    for (const node of mesh.nodes.values()) {
      this.gateways.set(
        node.id,
        new GatewayProcess({
          name: node.id,
          configFile: node.configFile,
          logFile: node.logFile,
          apiUrl: node.apiUrl,
        }),
      )
    }
  }

  static async create(options: TestMeshOptions): Promise<TestMesh> {
    const dir = await mkdtemp(join(tmpdir(), 'lifeline-mesh-'))
    const service = new TestService()
    await service.listen()
    const links: DrillLink[] = options.links.map(([a, b, latencyMs = 0]) => ({
      id: `${a}-${b}`,
      a,
      b,
      latencyMs,
      jitterMs: 0,
      lossRatio: 0,
      cables: [],
    }))
    const scenario: Scenario = {
      name: 'test',
      file: join(dir, 'test.yaml'),
      seed: 1,
      durationMs: 0,
      nodes: options.nodes.map((id) => ({ id })),
      links,
      traffic: [],
      faults: [],
      timeline: [],
      expect: {},
      gateway: options.gateway ?? {},
    }
    const mesh = await buildMesh(scenario, {
      runDir: dir,
      serviceUrl: (node, svc) => service.url(node, svc),
      logger: silentLogger(),
    })
    return new TestMesh(dir, mesh, service)
  }

  gateway(name: string): GatewayProcess {
    const gw = this.gateways.get(name)
    if (gw === undefined) throw new Error(`no gateway ${name}`)
    return gw
  }

  proxy(link: string) {
    const proxy = this.mesh.proxies.get(link)
    if (proxy === undefined) throw new Error(`no link ${link}`)
    return proxy
  }

  async startAll(): Promise<void> {
    await Promise.all([...this.gateways.values()].map((g) => g.start()))
  }

  /** POST to a gateway's local API; returns status and parsed JSON body. */
  async api(node: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const init: RequestInit = { method: body === undefined ? 'GET' : 'POST', headers }
    if (body !== undefined) {
      init.body = typeof body === 'string' ? body : JSON.stringify(body)
      init.headers = { 'content-type': 'application/json', ...headers }
    }
    const res = await fetch(`${this.gateway(node).apiUrl}${path}`, init)
    const text = await res.text()
    let json: unknown
    try {
      json = JSON.parse(text)
    } catch {
      json = text
    }
    return { status: res.status, body: json as Record<string, any> }
  }

  send(from: string, to: string, text: string, extra: Record<string, unknown> = {}) {
    return this.api(from, '/v1/messages', { to, service: 'inbox', text, ...extra })
  }

  async close(): Promise<void> {
    await Promise.all([...this.gateways.values()].map((g) => g.stop().catch(() => {})))
    await this.mesh.close()
    await this.service.close()
    await rm(this.dir, { recursive: true, force: true })
  }
}

/** Polls `check` until it returns true or `timeoutMs` passes; returns the last result. */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (await check()) return true
    if (Date.now() > deadline) return false
    await new Promise((r) => setTimeout(r, 100))
  }
}
