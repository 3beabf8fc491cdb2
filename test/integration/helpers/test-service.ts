import { once } from 'node:events'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'

/** One POST a gateway made to the test service. */
export interface Arrival {
  node: string
  service: string
  id: string
  source: string
  body: Buffer
  at: number
}

/**
 * A destination service for tests: records every delivery (duplicates
 * included), can be told to fail with a status for a while, and answers
 * synchronous calls with an echo so replies can be checked.
 */
export class TestService {
  readonly arrivals: Arrival[] = []
  /** When set, every delivery is answered with this status instead of 200. */
  failWith: number | undefined
  /** Delay before answering, ms. */
  delayMs = 0
  readonly #server: Server
  #port = 0

  constructor() {
    this.#server = createServer((req, res) => void this.#handle(req, res))
  }

  async listen(): Promise<void> {
    this.#server.listen(0, '127.0.0.1')
    await once(this.#server, 'listening')
    const address = this.#server.address()
    this.#port = typeof address === 'object' && address !== null ? address.port : 0
  }

  url(node: string, service: string): string {
    return `http://127.0.0.1:${this.#port}/${node}/${service}`
  }

  /** Distinct message ids delivered to `node`, and how often each arrived. */
  counts(node?: string): Map<string, number> {
    const counts = new Map<string, number>()
    for (const a of this.arrivals) {
      if (node !== undefined && a.node !== node) continue
      counts.set(a.id, (counts.get(a.id) ?? 0) + 1)
    }
    return counts
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections()
    await new Promise<void>((resolve) => this.#server.close(() => resolve()))
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs))
    if (this.failWith !== undefined) {
      res.writeHead(this.failWith).end('failing on purpose')
      return
    }
    const [, node = '', service = ''] = (req.url ?? '').split('/')
    const body = Buffer.concat(chunks)
    this.arrivals.push({
      node,
      service,
      id: String(req.headers['lifeline-message-id']),
      source: String(req.headers['lifeline-source']),
      body,
      at: Date.now(),
    })
    res.writeHead(200, { 'content-type': 'text/plain' }).end(`echo:${body.toString('utf8')}`)
  }
}
