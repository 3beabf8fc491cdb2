import { createServer } from 'node:http'

/**
 * The compose demo's destination service: takes every message a gateway
 * delivers (POST /<gateway>/<service>) and answers 204, so deliveries complete
 * and the dashboards have latency and delivery rates to show. A real agency
 * system would store the body, keyed by its Idempotency-Key header.
 */
const port = Number(process.env.PORT ?? 9000)

createServer((req, res) => {
  req.resume()
  req.on('end', () => {
    res.writeHead(req.method === 'POST' ? 204 : 405).end()
  })
}).listen(port, '0.0.0.0')
