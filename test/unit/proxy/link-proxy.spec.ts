import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { LinkProxy, type LinkProxyOptions } from '../../../simulator/proxy/link-proxy.ts'
import { dial, eventually, sleep, startServer, type TestServer } from './sockets.ts'

async function withProxy(
  options: Omit<LinkProxyOptions, 'target'> & { echo?: boolean },
  body: (proxy: LinkProxy, server: TestServer) => Promise<void>,
): Promise<void> {
  const server = await startServer({ echo: options.echo ?? false })
  const proxy = new LinkProxy({ ...options, target: { port: server.port } })
  await proxy.listen()
  try {
    await body(proxy, server)
  } finally {
    await proxy.close()
    await server.close()
  }
}

describe('link proxy', () => {
  test('passes bytes both ways unchanged and counts them', async () => {
    await withProxy({ echo: true }, async (proxy) => {
      const client = await dial(proxy.address.port)
      client.socket.write('hello, taipei')
      assert.ok(await eventually(() => client.received().toString() === 'hello, taipei'))
      const stats = proxy.stats()
      assert.equal(stats.bytes['a-to-b'], 13)
      assert.equal(stats.bytes['b-to-a'], 13)
      assert.equal(stats.connections.total, 1)
      assert.equal(stats.connections.active, 1)
      client.socket.destroy()
    })
  })

  test('a blackhole keeps the connection open, delivers nothing, and restore resumes', async () => {
    await withProxy({}, async (proxy, server) => {
      const client = await dial(proxy.address.port)
      client.socket.write('before ')
      assert.ok(await eventually(() => server.received().toString() === 'before '))
      proxy.cut({ mode: 'blackhole' })
      client.socket.write('during ')
      let closed = false
      void client.ended.then(() => {
        closed = true
      })
      await sleep(150)
      assert.equal(server.received().toString(), 'before ')
      assert.equal(closed, false)
      assert.equal(proxy.stats().discarded['a-to-b'], 7)
      proxy.restore()
      client.socket.write('after')
      assert.ok(await eventually(() => server.received().toString() === 'before after'))
      assert.equal(closed, false)
      client.socket.destroy()
    })
  })

  test('a one-way blackhole cuts only that direction', async () => {
    await withProxy({}, async (proxy, server) => {
      const client = await dial(proxy.address.port)
      await eventually(() => server.sockets.length === 1)
      proxy.cut({ mode: 'blackhole', direction: 'a-to-b' })
      client.socket.write('lost')
      server.sockets[0]!.write('arrives')
      assert.ok(await eventually(() => client.received().toString() === 'arrives'))
      await sleep(50)
      assert.equal(server.received().length, 0)
      client.socket.destroy()
    })
  })

  test('a reset kills live connections with ECONNRESET and resets new ones', async () => {
    await withProxy({ echo: true }, async (proxy) => {
      const client = await dial(proxy.address.port)
      client.socket.write('x')
      await eventually(() => client.received().length === 1)
      proxy.cut({ mode: 'reset' })
      assert.equal(await client.ended, 'ECONNRESET')
      const late = await dial(proxy.address.port)
      late.socket.write('y')
      assert.equal(await late.ended, 'ECONNRESET')
      assert.equal(proxy.stats().connections.refused, 1)
      proxy.restore()
      const again = await dial(proxy.address.port)
      again.socket.write('z')
      assert.ok(await eventually(() => again.received().toString() === 'z'))
      again.socket.destroy()
    })
  })

  test('a reset behind the proxy reaches the client as a reset', async () => {
    await withProxy({}, async (proxy, server) => {
      const client = await dial(proxy.address.port)
      await eventually(() => server.sockets.length === 1)
      server.sockets[0]!.resetAndDestroy()
      assert.equal(await client.ended, 'ECONNRESET')
      assert.ok(await eventually(() => proxy.stats().connections.active === 0))
    })
  })

  test('an unreachable target resets the client', async () => {
    const proxy = new LinkProxy({ target: { port: 1 } })
    await proxy.listen()
    try {
      const client = await dial(proxy.address.port)
      assert.equal(await client.ended, 'ECONNRESET')
    } finally {
      await proxy.close()
    }
  })

  test('latency delays each direction', async () => {
    await withProxy({ echo: true, conditions: { latencyMs: 60 } }, async (proxy) => {
      const client = await dial(proxy.address.port)
      const start = performance.now()
      client.socket.write('ping')
      assert.ok(await eventually(() => client.received().length === 4))
      const rtt = performance.now() - start
      assert.ok(rtt >= 118, `round trip took ${rtt} ms, expected at least 120`)
      assert.ok(rtt < 1000, `round trip took ${rtt} ms`)
      client.socket.destroy()
    })
  })

  test('the bandwidth cap limits throughput', async () => {
    const bitsPerSecond = 4_000_000
    await withProxy({ conditions: { bandwidthBps: bitsPerSecond } }, async (proxy, server) => {
      const client = await dial(proxy.address.port)
      const total = 256 * 1024
      const start = performance.now()
      client.socket.write(Buffer.alloc(total, 7))
      assert.ok(await eventually(() => server.received().length === total, 5000))
      const seconds = (performance.now() - start) / 1000
      const bytesPerSecond = (total - 16 * 1024) / seconds
      assert.ok(bytesPerSecond <= (bitsPerSecond / 8) * 1.05, `${bytesPerSecond} B/s over the cap`)
      assert.ok(bytesPerSecond > (bitsPerSecond / 8) * 0.3, `${bytesPerSecond} B/s far below`)
      client.socket.destroy()
    })
  })

  test('jitter and loss never reorder the byte stream', async () => {
    let seed = 42
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31
      return seed / 2 ** 31
    }
    const conditions = { latencyMs: 5, jitterMs: 5, lossRatio: 0.05 }
    await withProxy({ conditions, random }, async (proxy, server) => {
      const client = await dial(proxy.address.port)
      const sent: string[] = []
      for (let i = 0; i < 200; i++) {
        sent.push(`${i};`)
        client.socket.write(`${i};`)
        if (i % 10 === 0) await sleep(1)
      }
      const expected = sent.join('')
      assert.ok(await eventually(() => server.received().length === expected.length, 5000))
      assert.equal(server.received().toString(), expected)
      client.socket.destroy()
    })
  })

  test('degrade changes only the conditions it names', async () => {
    const proxy = new LinkProxy({ target: { port: 1 }, conditions: { latencyMs: 3 } })
    proxy.degrade({ lossRatio: 0.02, bandwidthBps: 2e6 })
    assert.deepEqual(proxy.conditions, {
      latencyMs: 3,
      jitterMs: 0,
      lossRatio: 0.02,
      bandwidthBps: 2e6,
    })
    proxy.degrade({ bandwidthBps: 0 })
    assert.equal(proxy.conditions.bandwidthBps, undefined)
    await proxy.close()
  })
})
