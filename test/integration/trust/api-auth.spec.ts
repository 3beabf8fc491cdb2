import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { request } from 'node:http'
import { after, before, describe, test } from 'node:test'
import { hashToken } from '../../../node/api/auth.ts'
import { metric } from '../helpers/metrics-reader.ts'
import { TestMesh, waitFor } from '../helpers/test-mesh.ts'

const TOKEN = randomBytes(32).toString('base64url')
const MESSAGE = { to: 'bravo', service: 'inbox', text: 'should never travel' }

/**
 * A raw HTTP request, so the path reaches the gateway exactly as written
 * (fetch would normalise it first).
 */
function rawRequest(
  apiUrl: string,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(apiUrl)
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, method, path, headers }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }),
      )
    })
    req.on('error', reject)
    req.end(body)
  })
}

describe('local API authentication with bearer tokens', () => {
  let mesh: TestMesh
  const api = () => mesh.gateway('alpha').apiUrl

  before(async () => {
    mesh = await TestMesh.create({
      nodes: ['alpha', 'bravo'],
      links: [['alpha', 'bravo']],
      gateway: { api: { tokens: [{ client: 'records-app', sha256: hashToken(TOKEN) }] } },
    })
    await mesh.startAll()
  })
  after(() => mesh.close())

  const accepted = () =>
    metric(mesh, 'alpha', 'lifeline_messages_accepted_total', { priority: 'normal' })

  test('requests without valid credentials get 401 UNAUTHORIZED and change nothing', async () => {
    const json = { 'content-type': 'application/json' }
    const attempts: Array<[string, string, Record<string, string>]> = [
      ['POST', '/v1/messages', json],
      ['POST', '/v1/messages', { ...json, authorization: 'Bearer not-the-token' }],
      ['POST', '/v1/messages', { ...json, authorization: `Basic ${TOKEN}` }],
      ['POST', '/v1/messages', { ...json, authorization: TOKEN }],
      ['POST', '/v1/messages', { ...json, authorization: `Bearer ${hashToken(TOKEN)}` }],
      ['POST', '/v1/calls', json],
      ['GET', '/v1/queues', {}],
      ['GET', '/v1/peers', {}],
      ['GET', '/v1/messages/01ARZ3NDEKTSV4RRFFQ69G5FAV', {}],
    ]
    for (const [method, path, headers] of attempts) {
      const body = method === 'POST' ? JSON.stringify(MESSAGE) : undefined
      const res = await rawRequest(api(), method, path, headers, body)
      assert.equal(res.status, 401, `${method} ${path} ${JSON.stringify(headers)}: ${res.body}`)
      assert.equal(JSON.parse(res.body).error.code, 'UNAUTHORIZED')
    }
    // Spellings of the same route that a router might resolve while a prefix check misses.
    for (const path of ['/%761/messages', '/v1%2Fmessages', '//v1/messages', '/V1/messages']) {
      const res = await rawRequest(api(), 'POST', path, json, JSON.stringify(MESSAGE))
      assert.ok([401, 404].includes(res.status), `POST ${path} answered ${res.status}: ${res.body}`)
    }
    assert.equal(await accepted(), 0, 'no message was accepted')
    const queues = await rawRequest(api(), 'GET', '/v1/queues', {
      authorization: `Bearer ${TOKEN}`,
    })
    assert.equal(JSON.parse(queues.body).messages, 0, 'nothing queued')
    await new Promise((r) => setTimeout(r, 300))
    assert.equal(mesh.service.arrivals.length, 0, 'nothing delivered')
  })

  test('a valid token submits, reads status and the message is delivered', async () => {
    const auth = { authorization: `Bearer ${TOKEN}` }
    const res = await mesh.api('alpha', '/v1/messages', { ...MESSAGE, text: 'authorised' }, auth)
    assert.equal(res.status, 202, JSON.stringify(res.body))
    const id = res.body.id as string
    assert.ok(await waitFor(() => mesh.service.counts('bravo').has(id), 15_000))
    const status = await mesh.api('alpha', `/v1/messages/${id}`, undefined, auth)
    assert.equal(status.status, 200)
    assert.equal(await accepted(), 1)
    // The helper sends no token: the status read above needed one.
    assert.equal((await mesh.api('alpha', `/v1/messages/${id}`)).status, 401)
  })

  test('/healthz and /readyz stay open without a token', async () => {
    const health = await mesh.api('alpha', '/healthz')
    assert.equal(health.status, 200)
    assert.equal(health.body.ok, true)
    assert.equal((await mesh.api('alpha', '/readyz')).status, 200)
  })
})
