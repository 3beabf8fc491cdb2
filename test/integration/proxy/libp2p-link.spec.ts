import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'
import { LinkProxy } from '../../../simulator/proxy/link-proxy.ts'

async function host() {
  return createLibp2p({
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: { ping: ping() },
  })
}

type Host = Awaited<ReturnType<typeof host>>

/** Pings through the proxy, dialling afresh if needed; resolves with the RTT or undefined. */
async function tryPing(from: Host, address: string, timeoutMs: number) {
  try {
    return await from.services.ping.ping(multiaddr(address), {
      signal: AbortSignal.timeout(timeoutMs),
    })
  } catch {
    return undefined
  }
}

async function eventuallyPing(from: Host, address: string, withinMs: number) {
  const until = Date.now() + withinMs
  while (Date.now() < until) {
    const rtt = await tryPing(from, address, 1000)
    if (rtt !== undefined) return rtt
    await new Promise((r) => setTimeout(r, 100))
  }
  return undefined
}

describe('link proxy between two libp2p hosts', () => {
  let a: Host
  let b: Host
  let proxy: LinkProxy
  let address: string

  before(async () => {
    ;[a, b] = await Promise.all([host(), host()])
    const port = Number(b.getMultiaddrs()[0]!.toString().split('/')[4])
    proxy = new LinkProxy({ target: { port }, conditions: { latencyMs: 15 } })
    await proxy.listen()
    address = `/ip4/127.0.0.1/tcp/${proxy.address.port}/p2p/${b.peerId.toString()}`
  })

  after(async () => {
    await Promise.all([a.stop(), b.stop()])
    await proxy.close()
  })

  test('a ping crosses the proxy and pays its latency both ways', async () => {
    const rtt = await eventuallyPing(a, address, 5000)
    assert.ok(rtt !== undefined, 'ping through the proxy')
    assert.ok(rtt >= 28, `rtt ${rtt} ms should include 2 x 15 ms`)
  })

  test('a blackhole stalls pings but keeps the connection open', async () => {
    await eventuallyPing(a, address, 5000)
    proxy.cut({ mode: 'blackhole' })
    assert.equal(await tryPing(a, address, 400), undefined)
    const open = a.getConnections(b.peerId).filter((c) => c.status === 'open')
    assert.ok(open.length >= 1, 'the dead connection still looks open to the sender')
    proxy.restore()
    // The stream lost bytes, so the encrypted session breaks and a fresh dial follows.
    assert.ok((await eventuallyPing(a, address, 10_000)) !== undefined, 'pings resume')
  })

  test('a reset closes the connection at once and refuses redials until restored', async () => {
    await eventuallyPing(a, address, 5000)
    const closed = new Promise<void>((resolve) => {
      a.addEventListener('connection:close', () => resolve(), { once: true })
    })
    proxy.cut({ mode: 'reset' })
    const started = Date.now()
    await closed
    assert.ok(Date.now() - started < 1000, 'closed within a second')
    assert.equal(await tryPing(a, address, 1000), undefined)
    proxy.restore()
    assert.ok((await eventuallyPing(a, address, 5000)) !== undefined)
  })
})
