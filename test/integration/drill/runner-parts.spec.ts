import assert from 'node:assert/strict'
import { once } from 'node:events'
import { createServer, type Server } from 'node:http'
import { describe, test } from 'node:test'
import fc from 'fast-check'
import { LinkProxy } from '../../../simulator/proxy/link-proxy.ts'
import { FaultInjector } from '../../../simulator/runner/faults.ts'
import { parseBacklog } from '../../../simulator/runner/gateway-api.ts'
import { buildHistory, resolveIndeterminate } from '../../../simulator/runner/history.ts'
import { deepMerge } from '../../../simulator/runner/mesh.ts'
import { decodePayload, encodePayload } from '../../../simulator/runner/payload.ts'
import { allocatePorts } from '../../../simulator/runner/ports.ts'
import { formatProgress } from '../../../simulator/runner/progress.ts'
import { type DeliveryRecord, Recorder } from '../../../simulator/runner/recorder.ts'
import { type SendRecord, TrafficGenerator } from '../../../simulator/runner/traffic.ts'
import type { TrafficFlow } from '../../../simulator/scenario/types.ts'

const label = fc.record({
  flow: fc.nat(50),
  seq: fc.nat(1_000_000),
  from: fc.constantFrom('taipei', 'ee/gov/1/records'),
  to: fc.constantFrom('penghu', 'hualien'),
  sentAt: fc.integer({ min: 0, max: 2 ** 42 }),
})

async function listen(server: Server): Promise<string> {
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const address = server.address()
  return `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`
}

const flow = (over: Partial<TrafficFlow> = {}): TrafficFlow => ({
  from: 'taipei',
  to: 'penghu',
  ratePerSecond: 50,
  sizeBytes: 256,
  priority: 'normal',
  startMs: 0,
  stopMs: 400,
  service: 'inbox',
  ...over,
})

describe('drill payloads', () => {
  test('a payload decodes to the label it was made with, at the size asked', () => {
    fc.assert(
      fc.property(label, fc.nat(4096), (l, size) => {
        const body = encodePayload(l, size)
        const check = decodePayload(body)
        return check.ok && check.seq === l.seq && check.to === l.to && body.length >= size
      }),
      { numRuns: 200 },
    )
  })

  test('changing any byte of a payload makes it fail its check', () => {
    fc.assert(
      fc.property(label, fc.integer({ min: 120, max: 600 }), fc.nat(), (l, size, at) => {
        const body = encodePayload(l, size)
        const i = at % body.length
        body[i] = body[i]! ^ 0x01
        return !decodePayload(body).ok
      }),
      { numRuns: 200 },
    )
  })
})

describe('recorder', () => {
  test('records intact deliveries and names what is wrong with the others', async () => {
    const recorder = new Recorder()
    await recorder.listen()
    try {
      const post = (node: string, id: string, body: Buffer, source = 'taipei') =>
        fetch(recorder.serviceUrl(node, 'inbox'), {
          method: 'POST',
          headers: { 'lifeline-message-id': id, 'lifeline-source': source },
          body,
        })
      const good = encodePayload({ flow: 0, seq: 1, from: 'taipei', to: 'penghu', sentAt: 5 }, 300)
      assert.equal((await post('penghu', 'ID1', good)).status, 200)
      assert.equal((await post('hualien', 'ID2', good)).status, 200)
      await post('penghu', 'ID3', good, 'kaohsiung')
      await post('penghu', 'ID4', Buffer.from('not a drill payload'))
      const [ok, misrouted, spoofed, junk] = recorder.deliveries as DeliveryRecord[]
      assert.equal(ok?.problem, undefined)
      assert.deepEqual([ok?.node, ok?.messageId, ok?.label?.seq], ['penghu', 'ID1', 1])
      assert.equal(misrouted?.problem, 'addressed to penghu')
      assert.equal(spoofed?.problem, 'source header kaohsiung')
      assert.equal(junk?.problem, 'no drill header')
    } finally {
      await recorder.close()
    }
  })
})

describe('traffic generator', () => {
  test('sends on an absolute schedule and records each outcome', async () => {
    let n = 0
    const server = createServer((req, res) => {
      req.resume()
      req.on('end', () => {
        n++
        if (n % 5 === 0) {
          res.writeHead(507).end(JSON.stringify({ error: { code: 'STORE_FULL', message: '' } }))
        } else res.writeHead(202).end(JSON.stringify({ id: `M${n}`, status: 'queued' }))
      })
    })
    const url = await listen(server)
    const traffic = new TrafficGenerator([flow({ ttlMs: 9000 })], { apiUrl: () => url })
    const t0 = Date.now()
    traffic.start(t0)
    await new Promise((r) => setTimeout(r, 600))
    await traffic.settled()
    server.close()
    const sends = traffic.sends
    assert.equal(sends.length, 20, '50/s for 400 ms')
    assert.deepEqual(
      sends.map((s) => s.seq),
      [...Array(20).keys()],
    )
    for (const s of sends) {
      const late = s.sentAt - (t0 + s.seq * 20)
      assert.ok(late >= -1 && late < 200, `seq ${s.seq} left ${late} ms off its slot`)
    }
    assert.equal(sends.filter((s) => s.outcome === 'refused' && s.code === 'STORE_FULL').length, 4)
    assert.equal(sends.filter((s) => s.outcome === 'accepted').length, 16)
  })

  test('a gateway that is down refuses submissions as UNREACHABLE', async () => {
    const [closed] = await allocatePorts(1)
    const traffic = new TrafficGenerator([flow({ stopMs: 60 })], {
      apiUrl: () => `http://127.0.0.1:${closed}`,
    })
    traffic.start(Date.now())
    await new Promise((r) => setTimeout(r, 100))
    await traffic.settled()
    assert.ok(traffic.sends.length >= 3)
    assert.ok(traffic.sends.every((s) => s.outcome === 'refused' && s.code === 'UNREACHABLE'))
  })
})

describe('history', () => {
  const send = (over: Partial<SendRecord>): SendRecord => ({
    flow: 0,
    seq: 0,
    from: 'taipei',
    to: 'penghu',
    service: 'inbox',
    priority: 'normal',
    sentAt: 1000,
    outcome: 'accepted',
    ...over,
  })
  const delivery = (id: string, seq: number, sentAt: number): DeliveryRecord => ({
    node: 'penghu',
    service: 'inbox',
    messageId: id,
    source: 'taipei',
    receivedAt: 1500,
    bytes: 100,
    label: { flow: 0, seq, from: 'taipei', to: 'penghu', sentAt },
  })

  test('a delivery proves an unanswered submission was accepted', () => {
    const sends = [send({ seq: 0, outcome: 'unknown', code: 'TIMEOUT' }), send({ seq: 1, id: 'B' })]
    assert.equal(resolveIndeterminate(sends, [delivery('A', 0, 1000)]), 1)
    assert.deepEqual([sends[0]?.outcome, sends[0]?.id], ['accepted', 'A'])
  })

  test('a delivery carrying another message body is not ok', () => {
    const sends = [send({ seq: 0, id: 'A' }), send({ seq: 1, id: 'B', sentAt: 1020 })]
    const history = buildHistory({
      t0: 1000,
      endedAt: 2000,
      sends,
      deliveries: [delivery('A', 0, 1000), delivery('B', 0, 1000)],
      statuses: new Map(),
      applied: [],
      powerCycles: [],
      samples: [],
    })
    assert.deepEqual(
      history.deliveries.map((d) => [d.id, d.bodyOk, d.at]),
      [
        ['A', true, 500],
        ['B', false, 500],
      ],
    )
    assert.equal(history.endedAt, 1000)
  })
})

describe('fault injector', () => {
  test('applies actions on time and a restore undoes both cut and degrade', async () => {
    const link = { id: 'a-b', a: 'a', b: 'b', latencyMs: 3, jitterMs: 0, lossRatio: 0, cables: [] }
    const proxy = new LinkProxy({ target: { port: 9 }, conditions: { latencyMs: 3 } })
    const changes: string[] = []
    const faults = new FaultInjector({
      proxies: new Map([['a-b', proxy]]),
      gateways: new Map(),
      links: [link],
      onChange: (c) => changes.push(`${c.kind}:${c.target}:${c.active ? 'on' : 'off'}`),
    })
    const t0 = Date.now()
    faults.start(
      [
        { at: 0, kind: 'degrade', links: ['a-b'], conditions: { latencyMs: 200 }, label: 'd' },
        { at: 30, kind: 'cut', links: ['a-b'], mode: 'blackhole', direction: 'a-to-b', label: 'c' },
        { at: 60, kind: 'restore', links: ['a-b'], label: 'r' },
      ],
      t0,
    )
    await new Promise((r) => setTimeout(r, 45))
    assert.deepEqual(proxy.cutState, { mode: 'blackhole', direction: 'a-to-b' })
    assert.deepEqual(faults.active().sort(), ['c', 'd'])
    await new Promise((r) => setTimeout(r, 45))
    assert.equal(proxy.cutState, undefined)
    assert.equal(proxy.conditions.latencyMs, 3)
    assert.deepEqual(faults.active(), [])
    assert.deepEqual(changes, ['degrade:a-b:on', 'cut:a-b:on', 'cut:a-b:off', 'degrade:a-b:off'])
    assert.deepEqual(
      faults.applied.map((f) => [f.action.label, f.at - t0 >= f.action.at]),
      [
        ['d', true],
        ['c', true],
        ['r', true],
      ],
    )
    await proxy.close()
  })
})

describe('small helpers', () => {
  test('backlog is read from a queue list or an outbound count', () => {
    const fromList = { queues: [{ messages: 3 }, { messages: 4 }], inbound: { messages: 2 } }
    assert.deepEqual(parseBacklog(fromList), { outbound: 7, inbound: 2 })
    assert.deepEqual(parseBacklog({ outbound: { messages: 5 } }), { outbound: 5, inbound: 0 })
    assert.equal(parseBacklog({ something: 'else' }), undefined)
  })

  test('scenario overrides merge into gateway config key by key', () => {
    const base = { link: { probeInterval: '100ms', downAfter: '600ms' }, listen: ['/a'] }
    assert.deepEqual(deepMerge(base, { link: { downAfter: '300ms' }, listen: ['/b'] }), {
      link: { probeInterval: '100ms', downAfter: '300ms' },
      listen: ['/b'],
    })
  })

  test('the progress line names the phase, counts and active faults', () => {
    const line = formatProgress({
      phase: 'running',
      elapsedMs: 12_300,
      durationMs: 60_000,
      sent: 10,
      accepted: 9,
      delivered: 7,
      inFlight: 2,
      faults: ['faults[0] cut cable:penghu-1'],
    })
    assert.equal(
      line,
      '[running] 12.3s/60.0s sent 10 accepted 9 delivered 7 in flight 2 | ' +
        'faults: faults[0] cut cable:penghu-1',
    )
  })
})
