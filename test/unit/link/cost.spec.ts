import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import fc from 'fast-check'
import { costChangedSignificantly, linkCost } from '../../../node/link/cost.ts'

describe('linkCost', () => {
  test('adds the loss penalty to the round-trip time', () => {
    assert.equal(linkCost({ rttMs: 5, loss: 0.1 }, { lossPenalty: 1000 }), 105)
    assert.equal(linkCost({ rttMs: 42, loss: 0 }, { lossPenalty: 1000 }), 42)
  })

  test('never prices a link below the floor, so a loopback link still costs something', () => {
    assert.equal(linkCost({ rttMs: 0, loss: 0 }, { lossPenalty: 1000 }), 1)
    assert.equal(linkCost({ rttMs: 0.2, loss: 0 }, { lossPenalty: 0, floorMs: 0.5 }), 0.5)
  })

  test('gives a link that never answered no usable cost', () => {
    assert.equal(
      linkCost({ rttMs: undefined, loss: 0 }, { lossPenalty: 1 }),
      Number.POSITIVE_INFINITY,
    )
    assert.equal(
      linkCost({ rttMs: Number.NaN, loss: 0 }, { lossPenalty: 1 }),
      Number.POSITIVE_INFINITY,
    )
  })

  test('grows with RTT and with loss, and stays finite and at least the floor', () => {
    const quality = fc.record({
      rttMs: fc.double({ min: 0, max: 1e5, noNaN: true }),
      loss: fc.double({ min: 0, max: 1, noNaN: true }),
    })
    fc.assert(
      fc.property(
        quality,
        quality,
        fc.double({ min: 0, max: 1e4, noNaN: true }),
        (a, b, penalty) => {
          const ca = linkCost(a, { lossPenalty: penalty })
          const cb = linkCost(b, { lossPenalty: penalty })
          assert.ok(Number.isFinite(ca) && ca >= 1)
          if (a.rttMs <= b.rttMs && a.loss <= b.loss) assert.ok(ca <= cb)
        },
      ),
    )
  })
})

describe('costChangedSignificantly', () => {
  test('ignores jitter and reports real moves', () => {
    assert.equal(costChangedSignificantly(50, 51), false)
    assert.equal(costChangedSignificantly(50, 59), false)
    assert.equal(costChangedSignificantly(50, 61), true)
    assert.equal(costChangedSignificantly(1, 2.5), false)
    assert.equal(costChangedSignificantly(1, 3.5), true)
  })

  test('always reports a link gaining or losing a usable cost', () => {
    assert.equal(costChangedSignificantly(Number.POSITIVE_INFINITY, 10), true)
    assert.equal(costChangedSignificantly(10, Number.POSITIVE_INFINITY), true)
    assert.equal(
      costChangedSignificantly(Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY),
      false,
    )
  })
})
