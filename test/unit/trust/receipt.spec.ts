import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { decodeEnvelope, type Envelope, encodeEnvelope } from '../../../node/core/envelope.ts'
import { isLifelineError } from '../../../node/core/errors.ts'
import {
  buildEnvelope,
  decodeReceiptBody,
  encodeReceiptBody,
  payloadSha256,
  type ReceiptBody,
} from '../../../node/trust/envelope-signing.ts'
import { buildReceipt, verifyReceipt } from '../../../node/trust/receipt.ts'
import { makeFederation, T0 } from './fixtures.ts'

const fed = await makeFederation()
const { roster, clinic, records, school } = fed
const NOW = T0 + 60_000
const window = { now: NOW + 1000, maxSkewMs: 5_000, maxAgeMs: 3_600_000 }

const message = await buildEnvelope(
  {
    kind: 'message',
    src: 'ee/clinic',
    dst: 'ee/records',
    service: 'records',
    priority: 'critical',
    createdAt: NOW,
    expiresAt: NOW + 60_000,
  },
  new TextEncoder().encode('lab results'),
  { signer: clinic.signer, recipientSealingKey: roster.sealingKey('ee/records'), maxHops: 8 },
)
const expected = { id: message.core.id, dst: 'ee/records', payloadSha256: payloadSha256(message) }

function receiptFrom(signer = records.signer, original: Envelope = message): Promise<Envelope> {
  return buildReceipt(
    original,
    { outcome: 'delivered', at: NOW + 500 },
    { signer, now: NOW + 500, maxHops: 8 },
  )
}

async function assertReceiptRejected(receipt: Envelope, code: string, pattern: RegExp) {
  await assert.rejects(verifyReceipt(receipt, expected, roster, window), (err) => {
    assert.ok(isLifelineError(err), String(err))
    assert.equal(err.code, code)
    assert.match(err.message, pattern)
    return true
  })
}

describe('receipts', () => {
  test('a receipt body survives encoding and is validated on decoding', () => {
    const body: ReceiptBody = {
      messageId: message.core.id,
      outcome: 'rejected',
      reason: 'FORBIDDEN',
      at: NOW,
      payloadSha256: 'a'.repeat(64),
      reply: { status: 403, contentType: 'text/plain', body: 'bm8=' },
    }
    assert.deepEqual(decodeReceiptBody(encodeReceiptBody(body)), body)
    const bad = new TextEncoder().encode(JSON.stringify({ ...body, payloadSha256: 'zz' }))
    assert.throws(
      () => decodeReceiptBody(bad),
      (err) => isLifelineError(err, 'DECODE_FAILED') && /payloadSha256/.test(err.message),
    )
    assert.throws(
      () => decodeReceiptBody(new Uint8Array([0x7b])),
      (err) => isLifelineError(err, 'DECODE_FAILED'),
    )
  })

  test('a receipt signed by the destination proves delivery of the exact payload', async () => {
    const receipt = decodeEnvelope(encodeEnvelope(await receiptFrom()))
    assert.equal(receipt.core.kind, 'receipt')
    assert.equal(receipt.core.src, 'ee/records')
    assert.equal(receipt.core.dst, 'ee/clinic')
    assert.equal(receipt.core.ref, message.core.id)
    assert.equal(receipt.core.priority, 'critical')
    assert.ok(receipt.core.expiresAt >= NOW + 500 + 86_400_000, 'lives long enough to travel back')
    const body = await verifyReceipt(receipt, expected, roster, window)
    assert.equal(body.outcome, 'delivered')
    assert.equal(body.payloadSha256, expected.payloadSha256)
  })

  test('a reply carries the service answer, sealed for the original sender', async () => {
    const answer = { status: 200, contentType: 'application/json', body: 'e30=' }
    const reply = await buildReceipt(
      message,
      { outcome: 'delivered', at: NOW + 500, reply: answer },
      {
        signer: records.signer,
        now: NOW + 500,
        maxHops: 8,
        recipientSealingKey: roster.sealingKey('ee/clinic'),
      },
    )
    assert.equal(reply.core.kind, 'reply')
    assert.equal(reply.core.sealed, true)
    await assert.rejects(verifyReceipt(reply, expected, roster, window), (err) =>
      isLifelineError(err, 'DECRYPT_FAILED'),
    )
    const opts = { ...window, sealingSecret: clinic.sealing.privateKey }
    const body = await verifyReceipt(reply, expected, roster, opts)
    assert.deepEqual(body.reply, answer)
  })

  test('a receipt signed by a member other than the destination is refused', async () => {
    await assertReceiptRejected(
      await buildReceipt(
        { ...message, core: { ...message.core, dst: 'ee/school' } },
        { outcome: 'delivered', at: NOW },
        { signer: school.signer, now: NOW + 500, maxHops: 8 },
      ),
      'BAD_SIGNATURE',
      /signed by ee\/school/,
    )
  })

  test('a receipt for another message or other payload bytes is refused', async () => {
    const other = { ...message, payload: message.payload.slice().reverse() }
    await assertReceiptRejected(
      await receiptFrom(records.signer, other),
      'BAD_SIGNATURE',
      /payload/,
    )
    const second = { ...message, core: { ...message.core, id: '01J0000000000000000000000A' } }
    await assertReceiptRejected(
      await receiptFrom(records.signer, second),
      'BAD_SIGNATURE',
      /answers/,
    )
  })

  test('a receipt forged with the wrong key fails signature verification', async () => {
    await assertReceiptRejected(await receiptFrom(school.signer), 'BAD_SIGNATURE', /signature/)
  })
})
