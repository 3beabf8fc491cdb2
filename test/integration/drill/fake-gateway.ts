/**
 * A stand-in gateway for testing the drill runner without the real one: it
 * reads the same config file, answers the local API the runner uses, and
 * delivers each submitted message straight to the destination's service
 * (found by swapping its own node name in its service URL for the
 * destination's) before it answers 202. It keeps nothing on disk.
 *
 * Usage: node fake-gateway.ts start --config FILE
 */

import { readFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { createServer as createTcpServer } from 'node:net'
import { parse } from 'yaml'
import { newMessageId } from '../../../node/core/envelope.ts'

const config = parse(readFileSync(process.argv[4]!, 'utf8')) as {
  name: string
  listen: string[]
  api: { port: number }
  services: Array<{ name: string; url: string }>
}
const statuses = new Map<string, string>()

function serviceUrl(to: string, service: string): string {
  const own = new URL(config.services[0]!.url)
  return `${own.origin}/${encodeURIComponent(to)}/${encodeURIComponent(service)}`
}

async function submit(body: Record<string, string>): Promise<{ id: string }> {
  const id = newMessageId()
  const res = await fetch(serviceUrl(body.to!, body.service!), {
    method: 'POST',
    headers: {
      'content-type': 'application/octet-stream',
      'lifeline-message-id': id,
      'idempotency-key': id,
      'lifeline-source': config.name,
      'lifeline-service': body.service!,
    },
    body: Buffer.from(body.payload!, 'base64'),
  })
  await res.body?.cancel()
  statuses.set(id, 'delivered')
  return { id }
}

const api = createServer((req, res) => {
  const chunks: Buffer[] = []
  req.on('data', (c: Buffer) => chunks.push(c))
  req.on('end', () => {
    const json = (status: number, body: unknown) =>
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body))
    const url = req.url ?? ''
    if (url === '/readyz' || url === '/healthz') return json(200, { ok: true })
    if (url === '/metrics') return res.writeHead(200).end('fake_up 1\n')
    if (url === '/v1/queues') return json(200, { queues: [], inbound: { messages: 0 } })
    if (req.method === 'POST' && url === '/v1/messages') {
      const body = JSON.parse(Buffer.concat(chunks).toString()) as Record<string, string>
      submit(body).then(
        (answer) => json(202, { ...answer, status: 'queued' }),
        () => json(503, { error: { code: 'NOT_READY', message: 'delivery failed' } }),
      )
      return
    }
    const id = /^\/v1\/messages\/([^/]+)$/.exec(url)?.[1]
    if (id !== undefined) return json(200, { id, status: statuses.get(id) ?? 'expired' })
    json(404, { error: { code: 'NOT_FOUND', message: url } })
  })
})
api.listen(config.api.port, '127.0.0.1')

// Accept overlay connections so the link proxies have something to reach.
const p2pPort = Number(/\/tcp\/(\d+)/.exec(config.listen[0]!)?.[1])
createTcpServer((socket) => socket.on('error', () => {})).listen(p2pPort, '127.0.0.1')
