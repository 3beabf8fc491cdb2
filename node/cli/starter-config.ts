/** The commented config `lifeline init` writes: every field an operator usually touches. */
export function starterConfig(o: {
  name: string
  authorityKey: string
  apiPort: number
  listenPort: number
}): string {
  return `# Lifeline gateway configuration. Every field is documented in node/config/schema.ts.
# Durations: 250ms, 10s, 2m, 24h. Sizes: 512B, 1KiB, 1MiB, 1GiB.

# This gateway's name in the federation roster (agency/subsystem style).
name: ${o.name}

# Data directory: identity keys, the custody store and the roster copy (relative to this file).
dataDir: .

# Where the overlay listens, and what to announce if that differs (NAT, proxies).
listen:
  - /ip4/0.0.0.0/tcp/${o.listenPort}
announce: []

# static: dial only the neighbour addresses below (segregated networks).
# dht: also find members through the federation's private DHT.
discovery: dht

# Neighbours: roster names, optionally with peer ids and addresses to dial.
neighbours: []
#  - name: ee/gov/70000002/records
#    addresses: [/dns4/gw.example.org/tcp/4001]

# The signed roster, and the federation authority's public key (base64) that signs it.
roster: roster.json
authorityKey: ${o.authorityKey}

# Optional pre-shared key that walls the overlay off (libp2p private network).
# pnetKey: swarm.key

# Local API for agency systems, bound to loopback. Add hashed bearer tokens with
# \`lifeline token\`; with none, anyone who can reach the port may use it.
api:
  host: 127.0.0.1
  port: ${o.apiPort}
  tokens: []

# Local services messages are delivered to (POST with the message id as Idempotency-Key).
services: []
#  - name: inbox
#    url: http://127.0.0.1:9000/lifeline/inbox
#    timeout: 10s

store:
  maxMessages: 1000000
  maxBytes: 1GiB

messages:
  maxPayload: 1MiB
  defaultTtl: 24h
  maxTtl: 30d

retry:
  initial: 200ms
  max: 30s
  jitter: 20%

# A neighbour that answers no probe for downAfter is declared down, even when its
# TCP connection stays open (a blackhole). Each probe is one small frame each way.
link:
  probeInterval: 100ms
  downAfter: 600ms

routing:
  paths: 3

# Keep working this long past the roster's valid-until, loudly, before refusing new work.
rosterGrace: 7d

log:
  level: info
`
}
