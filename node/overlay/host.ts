import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { type Identify, identify } from '@libp2p/identify'
import type { Ed25519PrivateKey } from '@libp2p/interface'
import { type KadDHT, kadDHT, passthroughMapper } from '@libp2p/kad-dht'
import { type Ping, ping } from '@libp2p/ping'
import { preSharedKey } from '@libp2p/pnet'
import { prometheusMetrics } from '@libp2p/prometheus-metrics'
import { tcp } from '@libp2p/tcp'
import { createLibp2p, type Libp2pOptions } from 'libp2p'
import type { Registry } from 'prom-client'
import { type AdmissionPolicy, rosterGater } from './gater.ts'
import { PROTOCOLS } from './protocols.ts'

export interface HostOptions {
  privateKey: Ed25519PrivateKey
  listen: string[]
  announce: string[]
  policy: AdmissionPolicy
  /** Use the private DHT to find members (discovery mode `dht`). */
  dht: boolean
  /** Pre-shared key file contents (libp2p pnet format) that walls the overlay off. */
  pnetKey?: Uint8Array
  /** Registry that libp2p's own metrics join; existing metrics are kept. */
  registry?: Registry
}

/** Services on every host; the DHT only in `dht` discovery mode. */
export type LifelineServices = {
  identify: Identify
  ping: Ping
  dht?: KadDHT
}

function services(dht: boolean) {
  const all = {
    identify: identify({ protocolPrefix: PROTOCOLS.identifyPrefix }),
    ping: ping(),
    dht: kadDHT({
      protocol: PROTOCOLS.dht,
      clientMode: false,
      // Members sit on agency networks and drill loopbacks: private addresses are the norm.
      peerInfoMapper: passthroughMapper,
      allowQueryWithZeroPeers: true,
    }),
  }
  // In static discovery the DHT is left out entirely: it could only ever reach the neighbours.
  if (!dht) return { identify: all.identify, ping: all.ping }
  return all
}

/**
 * Builds (without starting) the libp2p host: TCP, Noise, Yamux, identify, ping and the
 * private DHT.
 */
export async function createHost(options: HostOptions) {
  const init: Libp2pOptions<LifelineServices> = {
    privateKey: options.privateKey,
    start: false,
    addresses: { listen: options.listen, announce: options.announce },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionGater: rosterGater(options.policy),
    connectionManager: { maxConnections: 512, dialTimeout: 5_000 },
    services: services(options.dht),
  }
  if (options.pnetKey !== undefined)
    init.connectionProtector = preSharedKey({ psk: options.pnetKey })
  if (options.registry !== undefined) {
    init.metrics = prometheusMetrics({
      registry: options.registry,
      preserveExistingMetrics: true,
      collectDefaultMetrics: false,
    })
  }
  return createLibp2p(init)
}

export type Host = Awaited<ReturnType<typeof createHost>>
