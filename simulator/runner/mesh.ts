import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { stringify } from 'yaml'
import { validateConfig } from '../../node/config/load.ts'
import type { Logger } from '../../node/core/log.ts'
import { loadOrCreateIdentity } from '../../node/identity/keys.ts'
import { encodeAuthorityKey, generateAuthorityKey } from '../../node/trust/authority-key.ts'
import { type RosterMember, signRoster } from '../../node/trust/roster.ts'
import { encodeSignedRoster } from '../../node/trust/roster-file.ts'
import { LinkProxy } from '../proxy/link-proxy.ts'
import { createRandom } from '../scenario/prng.ts'
import type { DrillLink, Scenario } from '../scenario/types.ts'
import { allocatePorts } from './ports.ts'

/** Every node's gateway offers these services; flows may name more. */
const DEFAULT_SERVICE = 'inbox'
const ROSTER_VALIDITY_MS = 30 * 24 * 3_600_000

/** One drill node's files and ports. */
export interface MeshNode {
  id: string
  /** Folder holding the node's config, roster, log and data directory. */
  dir: string
  configFile: string
  logFile: string
  peerId: string
  p2pPort: number
  apiUrl: string
}

export interface Mesh {
  nodes: Map<string, MeshNode>
  /** One proxy per scenario link, by link id. */
  proxies: Map<string, LinkProxy>
  /** Base64 raw Ed25519 public key of this drill's fresh authority. */
  authorityKey: string
  close(): Promise<void>
}

export interface MeshOptions {
  runDir: string
  /** Builds a node's service URL (the recorder's endpoint). */
  serviceUrl: (node: string, service: string) => string
  logger: Logger
}

/**
 * Lays a scenario out on this machine: per node a folder with identity, config
 * and a copy of a roster signed by a fresh authority key; per link a proxy
 * that side `a` dials to reach side `b`.
 */
export async function buildMesh(scenario: Scenario, options: MeshOptions): Promise<Mesh> {
  const ports = await allocatePorts(scenario.nodes.length * 2)
  const dirOf = (id: string) => join(options.runDir, 'nodes', id)
  const identities = await Promise.all(
    scenario.nodes.map((n) => loadOrCreateIdentity(join(dirOf(n.id), 'data'))),
  )
  const nodes = new Map<string, MeshNode>()
  scenario.nodes.forEach((n, i) => {
    nodes.set(n.id, {
      id: n.id,
      dir: dirOf(n.id),
      configFile: join(dirOf(n.id), 'gateway.yaml'),
      logFile: join(dirOf(n.id), 'gateway.log'),
      peerId: identities[i]!.peerId.toString(),
      p2pPort: ports[2 * i]!,
      apiUrl: `http://127.0.0.1:${ports[2 * i + 1]!}`,
    })
  })
  const services = serviceNames(scenario)
  const authority = generateAuthorityKey()
  const now = Date.now()
  const members: RosterMember[] = scenario.nodes.map((n, i) => ({
    name: n.id,
    peerId: nodes.get(n.id)!.peerId,
    encryptionKey: Buffer.from(identities[i]!.sealing.publicKey).toString('base64'),
    // No addresses: in a drill every path between gateways must run through a proxy.
    addresses: [],
    services: services.map((name) => ({ name, allow: ['*'] })),
  }))
  const signed = signRoster(
    {
      federation: `drill-${scenario.name}`.replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 64),
      version: 1,
      issuedAt: new Date(now).toISOString(),
      validUntil: new Date(now + ROSTER_VALIDITY_MS).toISOString(),
      members,
      groups: {},
    },
    authority.secretKey,
  )
  const proxies = await startProxies(scenario, nodes, options.logger)
  const authorityKey = encodeAuthorityKey(authority.publicKey)
  await writeFile(join(options.runDir, 'authority.pub'), `${authorityKey}\n`)
  for (const node of nodes.values()) {
    await mkdir(node.dir, { recursive: true })
    await writeFile(join(node.dir, 'roster.json'), encodeSignedRoster(signed))
    const config = gatewayConfig(scenario, node, {
      nodes,
      proxies,
      authorityKey,
      services,
      options,
    })
    validateConfig(config, `${node.id} config`)
    await writeFile(node.configFile, stringify(config))
  }
  return {
    nodes,
    proxies,
    authorityKey,
    close: async () => {
      await Promise.all([...proxies.values()].map((p) => p.close()))
    },
  }
}

function serviceNames(scenario: Scenario): string[] {
  return [...new Set([DEFAULT_SERVICE, ...scenario.traffic.map((f) => f.service)])].sort()
}

async function startProxies(
  scenario: Scenario,
  nodes: Map<string, MeshNode>,
  logger: Logger,
): Promise<Map<string, LinkProxy>> {
  const proxies = new Map<string, LinkProxy>()
  for (const [i, link] of scenario.links.entries()) {
    const random = createRandom(scenario.seed * 1000 + i)
    const proxy = new LinkProxy({
      name: link.id,
      target: { port: nodes.get(link.b)!.p2pPort },
      conditions: conditionsOf(link),
      random: () => random.next(),
      logger,
    })
    await proxy.listen()
    proxies.set(link.id, proxy)
  }
  return proxies
}

function conditionsOf(link: DrillLink) {
  const conditions = {
    latencyMs: link.latencyMs,
    jitterMs: link.jitterMs,
    lossRatio: link.lossRatio,
  }
  return link.bandwidthBps === undefined
    ? conditions
    : { ...conditions, bandwidthBps: link.bandwidthBps }
}

interface ConfigContext {
  nodes: Map<string, MeshNode>
  proxies: Map<string, LinkProxy>
  authorityKey: string
  services: string[]
  options: MeshOptions
}

/** The gateway config of one node, as written to its YAML file. */
function gatewayConfig(scenario: Scenario, node: MeshNode, ctx: ConfigContext) {
  const neighbours = new Map<string, { name: string; peerId: string; addresses: string[] }>()
  const neighbour = (id: string) => {
    let entry = neighbours.get(id)
    if (entry === undefined) {
      entry = { name: id, peerId: ctx.nodes.get(id)!.peerId, addresses: [] }
      neighbours.set(id, entry)
    }
    return entry
  }
  for (const link of scenario.links) {
    // Side `a` dials through the proxy; side `b` only accepts.
    if (link.a === node.id) {
      const port = ctx.proxies.get(link.id)!.address.port
      neighbour(link.b).addresses.push(`/ip4/127.0.0.1/tcp/${port}`)
    } else if (link.b === node.id) neighbour(link.a)
  }
  const base = {
    name: node.id,
    dataDir: 'data',
    listen: [`/ip4/127.0.0.1/tcp/${node.p2pPort}`],
    discovery: 'static',
    neighbours: [...neighbours.values()],
    roster: 'roster.json',
    authorityKey: ctx.authorityKey,
    api: { host: '127.0.0.1', port: Number(new URL(node.apiUrl).port) },
    services: ctx.services.map((name) => ({ name, url: ctx.options.serviceUrl(node.id, name) })),
  }
  return deepMerge(base, scenario.gateway)
}

/** Scenario overrides win; objects merge key by key, anything else is replaced. */
export function deepMerge(
  base: Record<string, unknown>,
  over: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base }
  for (const [key, value] of Object.entries(over)) {
    const current = out[key]
    out[key] = isPlainObject(current) && isPlainObject(value) ? deepMerge(current, value) : value
  }
  return out
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
