import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import fc from 'fast-check'
import {
  chunkLossRatio,
  NO_CONDITIONS,
  propagationDelayMs,
  retransmitDelayMs,
  TokenBucket,
} from '../../../simulator/proxy/shaper.ts'

describe('shaper', () => {
  test('a chunk chosen as lost arrives one retransmission timeout late', () => {
    const c = { ...NO_CONDITIONS, latencyMs: 10, lossRatio: 0.5 }
    assert.equal(
      propagationDelayMs(c, () => 0.9),
      10,
    )
    assert.equal(
      propagationDelayMs(c, () => 0.1),
      10 + retransmitDelayMs(10),
    )
    assert.ok(retransmitDelayMs(10) >= 200)
  })

  test('a bigger chunk is likelier to lose one of its packets', () => {
    assert.ok(Math.abs(chunkLossRatio(0.02, 100) - 0.02) < 1e-12)
    assert.ok(Math.abs(chunkLossRatio(0.02, 3 * 1460) - (1 - 0.98 ** 3)) < 1e-12)
    const c = { ...NO_CONDITIONS, lossRatio: 0.02 }
    assert.equal(
      propagationDelayMs(c, () => 0.03, 100),
      0,
    )
    assert.equal(
      propagationDelayMs(c, () => 0.03, 64 * 1024),
      retransmitDelayMs(0),
    )
  })

  test('jitter spreads delay both ways but never below zero', () => {
    const c = { ...NO_CONDITIONS, latencyMs: 2, jitterMs: 5 }
    assert.equal(
      propagationDelayMs(c, () => 0),
      0,
    )
    assert.equal(
      propagationDelayMs(c, () => 1),
      7,
    )
    assert.equal(
      propagationDelayMs(c, () => 0.5),
      2,
    )
  })

  test('a token bucket lets a burst through, then paces at its rate', () => {
    const bucket = new TokenBucket(8000, 1000, 0)
    assert.equal(bucket.reserve(1000, 0), 0)
    assert.equal(bucket.reserve(500, 0), 500)
    assert.equal(bucket.reserve(500, 0), 1000)
    assert.equal(bucket.reserve(600, 1500), 100)
    assert.equal(bucket.reserve(1000, 10_000), 0)
  })

  test('no schedule lets more than burst plus rate times elapsed time through', () => {
    const arrival = fc.record({ gap: fc.nat(50), bytes: fc.integer({ min: 1, max: 64 * 1024 }) })
    fc.assert(
      fc.property(
        fc.integer({ min: 8_000, max: 100_000_000 }),
        fc.array(arrival, { minLength: 1, maxLength: 60 }),
        (bps, arrivals) => {
          const burst = 16 * 1024
          const bucket = new TokenBucket(bps, burst, 0)
          let now = 0
          let sent = 0
          for (const { gap, bytes } of arrivals) {
            now += gap
            const leaves = now + bucket.reserve(bytes, now)
            sent += bytes
            const allowed = burst + (bps / 8) * (leaves / 1000)
            if (sent > allowed + 1e-6) return false
          }
          return true
        },
      ),
    )
  })
})
