import assert from 'node:assert/strict'
import { connect } from 'node:net'
import { after, before, describe, test } from 'node:test'
import { TestMesh, waitFor } from '../helpers/test-mesh.ts'

describe('bad input at the local API', () => {
  let mesh: TestMesh
  let firstId: string
  before(async () => {
    mesh = await TestMesh.create({
      nodes: ['alpha', 'bravo'],
      links: [['alpha', 'bravo']],
      gateway: { messages: { maxPayload: '4KiB' }, store: { maxMessages: 30 } },
    })
    await mesh.startAll()
    firstId = (await mesh.send('alpha', 'bravo', 'accepted before the bad input')).body.id
  })
  after(() => mesh.close())

  const cases: Array<[string, () => Promise<{ status: number; body: any }>, number, string]> = [
    ['malformed JSON', () => mesh.api('alpha', '/v1/messages', '{"to": '), 400, 'INVALID_JSON'],
    [
      'missing fields',
      () => mesh.api('alpha', '/v1/messages', { to: 'bravo' }),
      400,
      'BAD_REQUEST',
    ],
    ['unknown destination', () => mesh.send('alpha', 'nowhere', 'x'), 422, 'UNKNOWN_DESTINATION'],
    [
      'unknown service',
      () => mesh.api('alpha', '/v1/messages', { to: 'bravo', service: 'nope', text: 'x' }),
      422,
      'UNKNOWN_SERVICE',
    ],
    [
      'payload over the limit',
      () => mesh.send('alpha', 'bravo', 'x'.repeat(5000)),
      413,
      'PAYLOAD_TOO_LARGE',
    ],
    [
      'wrong content type',
      () =>
        fetch(`${mesh.gateway('alpha').apiUrl}/v1/messages`, {
          method: 'POST',
          headers: { 'content-type': 'text/plain' },
          body: 'hello',
        }).then(async (r) => ({ status: r.status, body: await r.json() })),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    ],
    ['bad message id', () => mesh.api('alpha', '/v1/messages/nope'), 400, 'BAD_REQUEST'],
    [
      'a call deadline beyond the limit',
      () =>
        mesh.api('alpha', '/v1/calls', {
          to: 'bravo',
          service: 'inbox',
          text: 'x',
          deadline: '30d',
        }),
      400,
      'BAD_REQUEST',
    ],
    [
      'an unknown field in a call',
      () => mesh.api('alpha', '/v1/calls', { to: 'bravo', service: 'inbox', text: 'x', foo: 1 }),
      400,
      'BAD_REQUEST',
    ],
    [
      'unknown message id',
      () => mesh.api('alpha', '/v1/messages/01ARZ3NDEKTSV4RRFFQ69G5FAV'),
      404,
      'NOT_FOUND',
    ],
  ]

  for (const [name, call, status, code] of cases) {
    test(`${name} gets ${status} ${code} and changes nothing`, async () => {
      const before = await mesh.api('alpha', '/v1/queues')
      const res = await call()
      assert.equal(res.status, status, JSON.stringify(res.body))
      assert.equal(res.body.error.code, code)
      assert.equal(typeof res.body.error.message, 'string')
      const afterQueues = await mesh.api('alpha', '/v1/queues')
      assert.ok(
        afterQueues.body.messages <= before.body.messages,
        'the bad request queued something',
      )
    })
  }

  test('a request the HTTP parser rejects still gets a JSON error with a stable code', async () => {
    const url = new URL(mesh.gateway('alpha').apiUrl)
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(url.port), url.hostname, () => {
        socket.write('POST /v1/messages HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n')
      })
      let text = ''
      socket.on('data', (chunk) => {
        text += chunk.toString()
      })
      socket.on('end', () => resolve(text))
      socket.on('error', reject)
    })
    assert.match(answer, /^HTTP\/1\.1 400 /)
    const body = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))
    assert.equal(body.error.code, 'BAD_REQUEST')
  })

  test('the media type is matched without regard to case', async () => {
    const res = await fetch(`${mesh.gateway('alpha').apiUrl}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'Application/JSON; charset=UTF-8' },
      body: JSON.stringify({ to: 'bravo', service: 'inbox', text: 'case' }),
    })
    assert.equal(res.status, 202)
  })

  test('a full store refuses with 507 STORE_FULL and keeps what it accepted', async () => {
    await mesh.gateway('bravo').stop()
    let full: { status: number; body: any } | undefined
    const accepted: string[] = []
    for (let i = 0; i < 40 && full === undefined; i++) {
      const res = await mesh.send('alpha', 'bravo', `fill ${i}`)
      if (res.status === 202) accepted.push(res.body.id)
      else full = res
    }
    assert.ok(full, 'the store never filled up')
    assert.equal(full.status, 507)
    assert.equal(full.body.error.code, 'STORE_FULL')
    await mesh.gateway('bravo').start()
    const all = await waitFor(
      () => accepted.every((id) => mesh.service.counts('bravo').has(id)),
      30_000,
    )
    assert.ok(all, 'messages accepted before the store filled were lost')
    assert.ok(mesh.service.counts('bravo').has(firstId))
  })
})
