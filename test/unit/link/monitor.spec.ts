import assert from 'node:assert/strict'
import { describe, type TestContext, test } from 'node:test'
import { LinkMonitor, type LinkTransition, type Probe } from '../../../node/link/monitor.ts'

/**
 * A monitor on mock timers with a scripted far end: while `answering`, every
 * probe is echoed after `rttMs` (or dropped when `drop` says so).
 */
function harness(t: TestContext, init: Partial<ConstructorParameters<typeof LinkMonitor>[0]> = {}) {
  t.mock.timers.enable({ apis: ['setInterval', 'setTimeout', 'Date'], now: 0 })
  const far = { answering: true, rttMs: 10, drop: (_seq: number) => false }
  const sent: Probe[] = []
  const transitions: LinkTransition[] = []
  const monitor: LinkMonitor = new LinkMonitor({
    probeIntervalMs: 100,
    downAfterMs: 600,
    send: (probe) => {
      sent.push(probe)
      if (!far.answering || far.drop(probe.seq)) return
      setTimeout(() => monitor.onProbeAck(probe.seq), far.rttMs)
    },
    ...init,
  })
  monitor.addEventListener('state', (evt) => transitions.push(evt.detail))
  t.after(() => monitor.stop())
  return { monitor, far, sent, transitions, tick: (ms: number) => advance(t, ms) }
}

/**
 * Advances mock time a millisecond at a time: a single large `tick` runs every
 * due timer with the clock already at the end, so callbacks would misread time.
 */
function advance(t: TestContext, ms: number): void {
  for (let i = 0; i < ms; i++) t.mock.timers.tick(1)
}

describe('LinkMonitor', () => {
  test('probes at once and then every interval, with rising sequence numbers', (t) => {
    const { monitor, sent, tick } = harness(t)
    monitor.start()
    tick(1000)
    assert.deepEqual(
      sent.map((p) => p.seq),
      [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11],
    )
    assert.deepEqual(
      sent.map((p) => p.sentAt),
      [0, 100, 200, 300, 400, 500, 600, 700, 800, 900, 1000],
    )
  })

  test('comes up on the first answer and smooths RTT samples', (t) => {
    const { monitor, far, transitions, tick } = harness(t)
    far.rttMs = 20
    monitor.start()
    assert.equal(monitor.state, 'down')
    tick(20)
    assert.equal(monitor.state, 'up')
    assert.deepEqual(transitions, [{ state: 'up', previous: 'down', reason: 'answered', at: 20 }])
    assert.equal(monitor.stats().rttMs, 20)
    far.rttMs = 40
    tick(100 + 40)
    assert.equal(monitor.stats().rttMs, 20 * 0.875 + 40 * 0.125)
  })

  test('declares a silent link down exactly downAfter after the last answer', (t) => {
    const { monitor, far, transitions, tick } = harness(t)
    monitor.start()
    tick(1010)
    // The answer to the probe sent at 1000 arrived at 1010; from now on, a blackhole.
    far.answering = false
    tick(599)
    assert.equal(monitor.state, 'up')
    tick(1)
    assert.equal(monitor.state, 'down')
    assert.deepEqual(transitions.at(-1), {
      state: 'down',
      previous: 'up',
      reason: 'silent for 600 ms',
      at: 1610,
    })
  })

  test('on a slow link, silence must last three round trips before the link is down', (t) => {
    const { monitor, far, transitions, tick } = harness(t)
    far.rttMs = 400
    monitor.start()
    tick(5000)
    assert.equal(monitor.state, 'up')
    assert.equal(transitions.filter((x) => x.state === 'down').length, 0, 'a slow link flapped')
    const rtt = monitor.stats().rttMs!
    far.answering = false
    tick(2000)
    assert.equal(monitor.state, 'down')
    const down = transitions.at(-1)!
    const lastAnswer = monitor.stats().lastAckAt!
    assert.ok(down.at - lastAnswer >= 3 * rtt - 1, `down ${down.at - lastAnswer} ms after silence`)
    assert.ok(down.at - lastAnswer <= 3 * rtt + 100, `down only ${down.at - lastAnswer} ms after`)
  })

  test('a stall of this process earns a silent link one extra half window, once', (t) => {
    const { monitor, far, transitions, tick } = harness(t)
    monitor.start()
    tick(1010)
    far.answering = false
    // The whole process freezes for 900 ms: timers run late, all at once.
    t.mock.timers.setTime(Date.now() + 900)
    tick(1)
    assert.equal(monitor.state, 'up', 'declared down for a silence that was our own stall')
    tick(300)
    assert.equal(monitor.state, 'down')
    assert.equal(transitions.at(-1)?.state, 'down')
  })

  test('comes back up once answers resume, after the configured number of them', (t) => {
    const { monitor, far, transitions, tick } = harness(t, { upAfterAcks: 3 })
    monitor.start()
    tick(310)
    assert.equal(monitor.state, 'up')
    far.answering = false
    tick(1000)
    assert.equal(monitor.state, 'down')
    far.answering = true
    tick(200)
    assert.equal(monitor.state, 'down')
    tick(100)
    assert.equal(monitor.state, 'up')
    assert.deepEqual(
      transitions.map((x) => x.state),
      ['up', 'down', 'up'],
    )
  })

  test('measures loss over the window of settled probes', (t) => {
    const { monitor, far, tick } = harness(t, { lossWindow: 10, lossTimeoutMs: 250 })
    far.drop = (seq) => seq % 4 === 0
    monitor.start()
    tick(3000)
    // The window holds probes 22-31, sent at 2100-3000. 24 and 28 were dropped; 29 and 30
    // are answered; 31 is neither answered nor past its timeout, so it does not count yet.
    assert.equal(monitor.stats().loss, 2 / 9)
    far.answering = false
    tick(2000)
    assert.equal(monitor.stats().loss, 1)
  })

  test('ignores answers to probes never sent, long forgotten, or already answered', (t) => {
    const { monitor, far, transitions, tick } = harness(t, { lossWindow: 5 })
    far.answering = false
    monitor.start()
    tick(1000)
    monitor.onProbeAck(0)
    monitor.onProbeAck(99)
    monitor.onProbeAck(1)
    monitor.onProbeAck(Number.NaN)
    assert.equal(monitor.state, 'down')
    assert.equal(transitions.length, 0)
    monitor.onProbeAck(11)
    monitor.onProbeAck(11)
    assert.equal(transitions.length, 1)
    assert.equal(monitor.stats().rttMs, 0)
  })

  test('goes down at once when told the connection is gone, and says so once', (t) => {
    const { monitor, transitions, tick } = harness(t)
    monitor.start()
    tick(50)
    monitor.markDown('connection reset')
    monitor.markDown('connection reset')
    assert.deepEqual(
      transitions.map((x) => [x.state, x.reason]),
      [
        ['up', 'answered'],
        ['down', 'connection reset'],
      ],
    )
  })

  test('estimates throughput from the payload bytes reported', (t) => {
    const { monitor, tick } = harness(t)
    monitor.start()
    for (let i = 0; i < 100; i++) {
      monitor.onTraffic(1000)
      tick(100)
    }
    const rate = monitor.stats().throughputBytesPerSecond
    assert.ok(Math.abs(rate - 10_000) < 100, `estimated ${rate} B/s`)
    tick(10_000)
    assert.ok(monitor.stats().throughputBytesPerSecond < 10)
  })

  test('counts a probe that cannot be sent as lost instead of failing', (t) => {
    t.mock.timers.enable({ apis: ['setInterval', 'setTimeout', 'Date'], now: 0 })
    const monitor = new LinkMonitor({
      probeIntervalMs: 100,
      downAfterMs: 300,
      send: () => {
        throw new Error('stream closed')
      },
    })
    t.after(() => monitor.stop())
    monitor.start()
    advance(t, 1000)
    assert.equal(monitor.stats().loss, 1)
  })

  test('sends nothing and declares nothing after stop', (t) => {
    const { monitor, far, sent, transitions, tick } = harness(t)
    monitor.start()
    tick(100)
    monitor.stop()
    far.answering = false
    const before = sent.length
    tick(5000)
    assert.equal(sent.length, before)
    assert.equal(transitions.length, 1)
    assert.equal(monitor.state, 'up')
  })

  test('refuses a zero probe interval or down-after', () => {
    assert.throws(
      () => new LinkMonitor({ probeIntervalMs: 0, downAfterMs: 600, send() {} }),
      RangeError,
    )
    assert.throws(
      () => new LinkMonitor({ probeIntervalMs: 100, downAfterMs: 0, send() {} }),
      RangeError,
    )
  })
})
