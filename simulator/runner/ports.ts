import { once } from 'node:events'
import { createServer, type Server } from 'node:net'

/**
 * Reserves `count` distinct free TCP ports on the loopback: all are bound to
 * port 0 at once (so none repeats), read back, then released. Another process
 * could take one in the moment before a gateway binds it; on a drill machine
 * that is rare enough that a failed start is the right answer.
 */
export async function allocatePorts(count: number, host = '127.0.0.1'): Promise<number[]> {
  const servers: Server[] = []
  try {
    for (let i = 0; i < count; i++) {
      const server = createServer()
      servers.push(server)
      server.listen(0, host)
      await once(server, 'listening')
    }
    return servers.map((server) => {
      const address = server.address()
      if (address === null || typeof address !== 'object') throw new Error('no port bound')
      return address.port
    })
  } finally {
    await Promise.all(
      servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))),
    )
  }
}
