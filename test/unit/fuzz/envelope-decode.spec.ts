import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import fc from 'fast-check'
import { decodeEnvelope, type Envelope, encodeEnvelope } from '../../../node/core/envelope.ts'
import { isLifelineError } from '../../../node/core/errors.ts'
import { coreArb, envelopeArb, mutate, mutationArb, routeArb } from './arbitraries.ts'

const RUNS = 10_000
/**
 * Per-call bound: far above the microseconds a call takes, so a busy CI machine does not trip
 * it, yet a decoder that loops or backtracks catastrophically does.
 */
const MAX_CALL_MS = 2_000

/**
 * The decoder contract under hostile input: either an envelope that
 * re-encodes to something that decodes to the same envelope, or a
 * LifelineError with code DECODE_FAILED. Anything else fails the property.
 */
function decodeOrRefuse(bytes: Uint8Array, maxBytes?: number): Envelope | undefined {
  const started = performance.now()
  try {
    const env = decodeEnvelope(bytes, maxBytes)
    assert.deepEqual(decodeEnvelope(encodeEnvelope(env)), env)
    return env
  } catch (err) {
    if (err instanceof assert.AssertionError) throw err
    assert.ok(isLifelineError(err, 'DECODE_FAILED'), `unexpected ${String(err)}`)
    return undefined
  } finally {
    const took = performance.now() - started
    assert.ok(took < MAX_CALL_MS, `decoding ${bytes.length} bytes took ${took} ms`)
  }
}

describe('envelope decoder fuzzing', { timeout: 60_000 }, () => {
  test('random bytes decode to an envelope or fail with DECODE_FAILED', () => {
    const header = fc.constantFrom(new Uint8Array(), new Uint8Array([0x4c, 0x01]))
    const arb = fc
      .tuple(header, fc.uint8Array({ maxLength: 512 }))
      .map(([h, rest]) => new Uint8Array([...h, ...rest]))
    fc.assert(
      fc.property(arb, (bytes) => {
        decodeOrRefuse(bytes)
      }),
      { numRuns: RUNS },
    )
  })

  test('well-framed envelopes with arbitrary JSON parts fail with DECODE_FAILED or decode', () => {
    const json = fc.oneof(
      fc.jsonValue({ maxDepth: 3 }),
      coreArb.chain((core) =>
        fc
          .tuple(fc.constantFrom(...Object.keys(core)), fc.jsonValue({ maxDepth: 2 }))
          .map(([key, value]) => ({ ...core, [key]: value })),
      ),
    )
    const text = new TextEncoder()
    const arb = fc.tuple(json, fc.oneof(json, routeArb), fc.uint8Array({ maxLength: 70 }))
    fc.assert(
      fc.property(arb, ([core, route, sig]) => {
        const env = {
          core,
          coreBytes: text.encode(JSON.stringify(core) ?? ''),
          route,
          sig,
          payload: new Uint8Array(3),
        } as unknown as Envelope
        decodeOrRefuse(encodeEnvelope(env))
      }),
      { numRuns: RUNS },
    )
  })

  test('truncated, bit-flipped and spliced valid encodings never escape DECODE_FAILED', () => {
    let survived = 0
    fc.assert(
      fc.property(envelopeArb, fc.array(mutationArb, { minLength: 1, maxLength: 3 }), (env, ms) => {
        const bytes = ms.reduce(mutate, encodeEnvelope(env))
        if (decodeOrRefuse(bytes) !== undefined) survived++
      }),
      { numRuns: RUNS },
    )
    // Payload damage is invisible to the decoder (the signature catches it later),
    // so some mutants must decode; if none do, the mutations are not reaching it.
    assert.ok(survived > 0 && survived < RUNS, `${survived} of ${RUNS} mutants decoded`)
  })

  test('oversized inputs and huge length prefixes fail fast with DECODE_FAILED', () => {
    fc.assert(
      fc.property(envelopeArb, fc.nat(64), (env, slack) => {
        const bytes = encodeEnvelope(env)
        assert.throws(
          () => decodeEnvelope(bytes, bytes.length - 1 - Math.min(slack, bytes.length - 1)),
          (err) => isLifelineError(err, 'DECODE_FAILED') && /exceeds/.test(err.message),
        )
        const huge = mutate(bytes, { op: 'length', field: 0, value: 0xffffffff })
        assert.equal(decodeOrRefuse(huge), undefined)
      }),
      { numRuns: RUNS },
    )
  })

  test('valid envelopes survive an encode and decode round trip unchanged', () => {
    fc.assert(
      fc.property(envelopeArb, (env) => {
        const back = decodeEnvelope(encodeEnvelope(env))
        // Core bytes, signature and payload come back byte for byte (they are signed).
        assert.deepEqual(back, env)
        // The unsigned route header is re-serialized in the decoder's own key order,
        // so byte identity holds from the first decoded form on: encode(decode(x)) = x.
        const x = encodeEnvelope(back)
        assert.deepEqual(encodeEnvelope(decodeEnvelope(x)), x)
      }),
      { numRuns: RUNS },
    )
  })
})
