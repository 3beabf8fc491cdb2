import { once } from 'node:events'
import { connect, createServer, type Server, type Socket } from 'node:net'

/** A loopback TCP server that records what each accepted socket receives. */
export interface TestServer {
  server: Server
  port: number
  sockets: Socket[]
  received: () => Buffer
  close: () => Promise<void>
}

/** Starts a server; with `echo`, every byte is written straight back. */
export async function startServer(options: { echo?: boolean } = {}): Promise<TestServer> {
  const sockets: Socket[] = []
  const chunks: Buffer[] = []
  const server = createServer((socket) => {
    sockets.push(socket)
    socket.on('error', () => {})
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk)
      if (options.echo === true) socket.write(chunk)
    })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const address = server.address()
  const port = typeof address === 'object' && address !== null ? address.port : 0
  return {
    server,
    port,
    sockets,
    received: () => Buffer.concat(chunks),
    close: async () => {
      for (const socket of sockets) socket.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

/** A connected client that records what it receives and how it ended. */
export interface TestClient {
  socket: Socket
  received: () => Buffer
  /** Resolves with the error code the socket failed with, or 'closed'. */
  ended: Promise<string>
}

export async function dial(port: number): Promise<TestClient> {
  const socket = connect({ host: '127.0.0.1', port })
  const chunks: Buffer[] = []
  socket.on('data', (chunk: Buffer) => chunks.push(chunk))
  let code = 'closed'
  socket.on('error', (err: NodeJS.ErrnoException) => {
    code = err.code ?? err.message
  })
  const ended = new Promise<string>((resolve) => socket.once('close', () => resolve(code)))
  // A reset can beat the 'connect' event; 'error' then carries the story.
  await new Promise<void>((resolve) => {
    socket.once('connect', resolve)
    socket.once('close', () => resolve())
  })
  return { socket, received: () => Buffer.concat(chunks), ended }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Polls `check` until it holds or `timeoutMs` passes; returns whether it held. */
export async function eventually(check: () => boolean, timeoutMs = 2000): Promise<boolean> {
  const until = Date.now() + timeoutMs
  while (Date.now() < until) {
    if (check()) return true
    await sleep(10)
  }
  return check()
}
