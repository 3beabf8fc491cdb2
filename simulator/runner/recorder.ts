import { once } from 'node:events'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { type Logger, silentLogger } from '../../node/core/log.ts'
import { decodePayload, type PayloadLabel } from './payload.ts'

/** One POST a gateway made to a destination service. */
export interface DeliveryRecord {
  /** The node whose service endpoint received it. */
  node: string
  service: string
  /** `Lifeline-Message-Id` header. */
  messageId: string
  /** `Lifeline-Source` header. */
  source: string
  /** Unix ms at which the body had fully arrived. */
  receivedAt: number
  bytes: number
  /** What the payload says about itself, when it could be read. */
  label?: PayloadLabel
  /** Why the delivery is not a clean copy of a drill message; absent when it is. */
  problem?: string
}

/**
 * The HTTP server that stands in for every destination's local service. A
 * gateway's service URL is `<base>/<node>/<service>`. Every arrival is
 * recorded, duplicates included (finding them is the point), and answered
 * 200 so the gateway considers it delivered.
 */
export class Recorder {
  readonly deliveries: DeliveryRecord[] = []
  readonly #server: Server
  readonly #log: Logger
  #port = 0
  /** Called for each delivery as it is recorded (metrics, progress). */
  onDelivery: ((record: DeliveryRecord) => void) | undefined

  constructor(logger: Logger = silentLogger()) {
    this.#log = logger.child({ component: 'recorder' })
    this.#server = createServer((req, res) => this.#handle(req, res))
    this.#server.keepAliveTimeout = 30_000
  }

  async listen(host = '127.0.0.1'): Promise<number> {
    this.#server.listen(0, host)
    await once(this.#server, 'listening')
    const address = this.#server.address()
    this.#port = typeof address === 'object' && address !== null ? address.port : 0
    return this.#port
  }

  /** The URL a node's gateway delivers `service` messages to. */
  serviceUrl(node: string, service: string): string {
    return `http://127.0.0.1:${this.#port}/${encodeURIComponent(node)}/${encodeURIComponent(service)}`
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections()
    await new Promise<void>((resolve) => this.#server.close(() => resolve()))
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('error', () => res.destroy())
    req.on('end', () => {
      const record = this.#record(req, Buffer.concat(chunks))
      if (record === undefined) {
        res.writeHead(404).end()
        return
      }
      this.deliveries.push(record)
      this.onDelivery?.(record)
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}')
    })
  }

  #record(req: IncomingMessage, body: Buffer): DeliveryRecord | undefined {
    const [, node, service] = (req.url ?? '').split('?')[0]!.split('/')
    if (req.method !== 'POST' || node === undefined || service === undefined) return undefined
    const header = (name: string) => {
      const value = req.headers[name]
      return (Array.isArray(value) ? value[0] : value) ?? ''
    }
    const record: DeliveryRecord = {
      node: decodeURIComponent(node),
      service: decodeURIComponent(service),
      messageId: header('lifeline-message-id'),
      source: header('lifeline-source'),
      receivedAt: Date.now(),
      bytes: body.length,
    }
    const check = decodePayload(body)
    if (check.ok) {
      const { ok: _ok, ...label } = check
      record.label = label
      if (label.to !== record.node) record.problem = `addressed to ${label.to}`
      else if (label.from !== record.source) record.problem = `source header ${record.source}`
    } else {
      record.problem = check.reason
      if (check.label !== undefined) record.label = check.label
    }
    if (record.messageId === '') record.problem ??= 'no Lifeline-Message-Id header'
    if (record.problem !== undefined) {
      this.#log.warn(
        { node: record.node, id: record.messageId, problem: record.problem },
        'bad delivery',
      )
    }
    return record
  }
}
