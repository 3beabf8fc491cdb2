import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import fc from 'fast-check'
import { ProbeWindow } from '../../../node/link/probe-window.ts'

describe('ProbeWindow', () => {
  test('reports the loss a full history would show for its last probes', () => {
    const step = fc.oneof(
      fc.record({ kind: fc.constant('send' as const), gap: fc.integer({ min: 0, max: 50 }) }),
      fc.record({ kind: fc.constant('answer' as const), back: fc.integer({ min: 0, max: 30 }) }),
    )
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 200 }),
        fc.array(step, { maxLength: 80 }),
        (size, timeout, steps) => {
          const window = new ProbeWindow(size)
          const history: Array<{ sentAt: number; answered: boolean }> = []
          let now = 0
          for (const s of steps) {
            if (s.kind === 'send') {
              now += s.gap
              assert.equal(window.add(now), history.length + 1)
              history.push({ sentAt: now, answered: false })
            } else {
              const seq = history.length - s.back
              const probe = history[seq - 1]
              const inWindow = seq >= 1 && seq > history.length - size
              const sentAt = window.answer(seq)
              if (probe !== undefined && inWindow && !probe.answered) {
                assert.equal(sentAt, probe.sentAt)
                probe.answered = true
              } else assert.equal(sentAt, undefined)
            }
          }
          const recent = history.slice(-size)
          const settled = recent.filter((p) => p.answered || now - p.sentAt >= timeout)
          const lost = settled.filter((p) => !p.answered).length
          assert.equal(window.loss(now, timeout), settled.length === 0 ? 0 : lost / settled.length)
        },
      ),
      { numRuns: 500 },
    )
  })

  test('knows which sequence numbers were sent', () => {
    const window = new ProbeWindow(4)
    assert.equal(window.wasSent(1), false)
    window.add(0)
    assert.equal(window.wasSent(1), true)
    assert.equal(window.wasSent(2), false)
    assert.equal(window.wasSent(0.5), false)
    assert.throws(() => new ProbeWindow(0), RangeError)
  })
})
