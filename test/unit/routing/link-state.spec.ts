import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { PrivateKey } from '@libp2p/interface'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import fc from 'fast-check'
import { isLifelineError } from '../../../node/core/errors.ts'
import {
  decodeLinkState,
  encodeLinkStateBody,
  LinkStateIssuer,
  type LinkStateRecord,
  signLinkState,
  verifyLinkState,
} from '../../../node/routing/link-state.ts'

interface Member {
  name: string
  peerId: string
  key: PrivateKey
}

async function member(name: string): Promise<Member> {
  const key = await generateKeyPair('Ed25519')
  return { name, peerId: peerIdFromPrivateKey(key).toString(), key }
}

function record(m: Member, overrides: Partial<LinkStateRecord> = {}): LinkStateRecord {
  return {
    origin: m.name,
    peerId: m.peerId,
    seq: 1,
    issuedAt: 1_700_000_000_000,
    links: [
      { peer: 'ee/b', cost: 12.5, rttMs: 10.25, loss: 0.0025 },
      { peer: 'ee/a', cost: 3, rttMs: 3, loss: 0 },
    ],
    ...overrides,
  }
}

function expectDecodeFailure(bytes: Uint8Array): void {
  assert.throws(
    () => decodeLinkState(bytes),
    (err) => isLifelineError(err, 'DECODE_FAILED'),
  )
}

describe('link-state records', () => {
  test('round-trip through the wire format and verify against the origin peer id', async () => {
    const m = await member('ee/origin')
    const bytes = await signLinkState(record(m), m.key)
    const decoded = decodeLinkState(bytes)
    assert.equal(decoded.record.origin, 'ee/origin')
    assert.deepEqual(
      decoded.record.links.map((l) => l.peer),
      ['ee/a', 'ee/b'],
    )
    assert.equal(await verifyLinkState(decoded), true)
  })

  test('encode the same record to the same bytes whatever the order of links and keys', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(
          fc.record({
            peer: fc.stringMatching(/^[a-z][a-z0-9/]{0,10}$/),
            cost: fc.double({ min: 0, max: 1e6, noNaN: true, noDefaultInfinity: true }),
            rttMs: fc.double({ min: 0, max: 1e6, noNaN: true, noDefaultInfinity: true }),
            loss: fc.double({ min: 0, max: 1, noNaN: true }),
          }),
          { selector: (l) => l.peer, maxLength: 8 },
        ),
        (links) => {
          const base = { origin: 'ee/x', peerId: 'p', seq: 5, issuedAt: 9, links }
          const shuffled = {
            links: links.map((l) => ({ loss: l.loss, rttMs: l.rttMs, peer: l.peer, cost: l.cost })),
            issuedAt: 9,
            seq: 5,
            peerId: 'p',
            origin: 'ee/x',
          }
          shuffled.links.reverse()
          assert.deepEqual(encodeLinkStateBody(shuffled), encodeLinkStateBody(base))
        },
      ),
      { numRuns: 200 },
    )
  })

  test('fail verification when the body is altered after signing', async () => {
    const m = await member('ee/origin')
    const bytes = await signLinkState(record(m), m.key)
    const sigLength = new DataView(bytes.buffer).getUint16(2)
    // Swap one digit of the cost for another: still canonical, but not what was signed.
    const text = new TextDecoder().decode(bytes.subarray(4 + sigLength))
    const tampered = text.replace('"cost":12.5', '"cost":11.5')
    assert.notEqual(tampered, text)
    const forged = new Uint8Array([
      ...bytes.subarray(0, 4 + sigLength),
      ...new TextEncoder().encode(tampered),
    ])
    assert.equal(await verifyLinkState(decodeLinkState(forged)), false)
  })

  test('fail verification when signed by a key other than the claimed peer id', async () => {
    const honest = await member('ee/origin')
    const impostor = await member('ee/origin')
    const bytes = await signLinkState(record(honest), impostor.key)
    assert.equal(await verifyLinkState(decodeLinkState(bytes)), false)
  })

  test('refuse malformed, oversized and non-canonical input with DECODE_FAILED', async () => {
    const m = await member('ee/origin')
    const good = await signLinkState(record(m), m.key)
    expectDecodeFailure(new Uint8Array(0))
    expectDecodeFailure(new Uint8Array([0x00, ...good.subarray(1)]))
    expectDecodeFailure(new Uint8Array([good[0]!, 2, ...good.subarray(2)]))
    expectDecodeFailure(good.subarray(0, 40))
    expectDecodeFailure(new Uint8Array(70_000).fill(0x53))
    const sigLength = new DataView(good.buffer).getUint16(2)
    const withBody = (body: string): Uint8Array =>
      new Uint8Array([...good.subarray(0, 4 + sigLength), ...new TextEncoder().encode(body)])
    const body = JSON.parse(new TextDecoder().decode(good.subarray(4 + sigLength)))
    expectDecodeFailure(withBody(JSON.stringify(body, null, 1)))
    expectDecodeFailure(withBody(JSON.stringify({ ...body, links: [...body.links].reverse() })))
    expectDecodeFailure(withBody(JSON.stringify({ ...body, seq: -1 })))
    expectDecodeFailure(withBody(JSON.stringify({ ...body, extra: true })))
    expectDecodeFailure(
      withBody(JSON.stringify({ ...body, links: [{ ...body.links[0], loss: 2 }] })),
    )
    const twice = [body.links[0], body.links[0]]
    expectDecodeFailure(withBody(JSON.stringify({ ...body, links: twice })))
  })

  test('issue sequence numbers that rise even when the clock stands still or steps back', async () => {
    const m = await member('ee/origin')
    const issuer = new LinkStateIssuer({ origin: m.name, peerId: m.peerId, privateKey: m.key })
    const seqs: number[] = []
    for (const now of [5_000, 5_000, 4_000, 9_000])
      seqs.push((await issuer.issue([], now)).record.seq)
    assert.deepEqual(seqs, [5_000, 5_001, 5_002, 9_000])
    // A restarted issuer starts from the clock, above what its predecessor issued.
    const restarted = new LinkStateIssuer({ origin: m.name, peerId: m.peerId, privateKey: m.key })
    const { record: first, bytes } = await restarted.issue([], 10_000)
    assert.ok(first.seq > seqs.at(-1)!)
    assert.equal(await verifyLinkState(decodeLinkState(bytes)), true)
  })
})
