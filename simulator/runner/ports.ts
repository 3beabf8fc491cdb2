import { once } from 'node:events'
import { readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:net'

/**
 * Ports below the kernel's ephemeral range: the proxies, the recorder and every
 * outgoing connection take ephemeral ports, so reserving gateway ports outside
 * that range means none of them can take a gateway's port between its
 * reservation and the gateway binding it.
 */
function reservedRange(): { low: number; high: number } {
  let ephemeralLow = 32_768
  try {
    const text = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')
    ephemeralLow = Number(text.trim().split(/\s+/)[0]) || ephemeralLow
  } catch {
    // Not Linux: keep the usual default.
  }
  return { low: 20_000, high: Math.max(20_001, ephemeralLow - 1) }
}

async function tryBind(port: number, host: string): Promise<Server | undefined> {
  const server = createServer()
  server.listen(port, host)
  try {
    await Promise.race([
      once(server, 'listening'),
      once(server, 'error').then(([err]) => {
        throw err
      }),
    ])
    return server
  } catch {
    server.close()
    return undefined
  }
}

/**
 * Reserves `count` distinct free TCP ports on the loopback, below the ephemeral
 * range and starting at a random point so concurrent drills rarely meet. All
 * are held at once (so none repeats), then released for the gateways to bind.
 */
export async function allocatePorts(count: number, host = '127.0.0.1'): Promise<number[]> {
  const { low, high } = reservedRange()
  const span = high - low
  const servers: Server[] = []
  let port = low + Math.floor(Math.random() * span)
  try {
    for (let tried = 0; servers.length < count && tried < span; tried++) {
      port = port >= high ? low : port + 1
      const server = await tryBind(port, host)
      if (server !== undefined) servers.push(server)
    }
    if (servers.length < count) throw new Error(`only ${servers.length} of ${count} ports free`)
    return servers.map((server) => (server.address() as { port: number }).port)
  } finally {
    await Promise.all(
      servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))),
    )
  }
}
