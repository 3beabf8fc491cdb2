import fc from 'fast-check'
import {
  ENVELOPE_KINDS,
  type Envelope,
  type EnvelopeCore,
  encodeCore,
  PRIORITIES,
  type RouteHeader,
} from '../../../node/core/envelope.ts'

/** Roster-style names, the alphabet envelopes accept for src, dst and route entries. */
export const nameArb = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._:/-]{0,24}$/)

const timeArb = fc.integer({ min: 0, max: 2 ** 45 })

export const coreArb: fc.Arbitrary<EnvelopeCore> = fc.record(
  {
    v: fc.constant(1 as const),
    id: fc.ulid(),
    kind: fc.constantFrom(...ENVELOPE_KINDS),
    src: nameArb,
    dst: nameArb,
    service: fc.string({ maxLength: 40 }),
    priority: fc.constantFrom(...PRIORITIES),
    createdAt: timeArb,
    expiresAt: timeArb,
    ref: fc.ulid(),
    expectReply: fc.boolean(),
    sealed: fc.boolean(),
  },
  {
    requiredKeys: [
      'v',
      'id',
      'kind',
      'src',
      'dst',
      'service',
      'priority',
      'createdAt',
      'expiresAt',
      'sealed',
    ],
  },
)

export const routeArb: fc.Arbitrary<RouteHeader> = fc.record(
  {
    hops: fc.nat(100),
    maxHops: fc.integer({ min: 1, max: 64 }),
    visited: fc.array(nameArb, { maxLength: 6 }),
    via: fc.array(nameArb, { maxLength: 4 }),
    copy: fc.nat(3),
  },
  { requiredKeys: ['hops', 'maxHops', 'visited', 'copy'] },
)

/** Structurally valid envelopes (signatures are random bytes: decoding does not check them). */
export const envelopeArb: fc.Arbitrary<Envelope> = fc
  .record({
    core: coreArb,
    route: routeArb,
    sig: fc.uint8Array({ minLength: 0, maxLength: 80 }),
    payload: fc.uint8Array({ maxLength: 300 }),
  })
  // Spread into plain objects: decoded envelopes have Object.prototype, and the
  // round-trip property compares prototypes too.
  .map(({ core, route, sig, payload }) => ({
    core: { ...core },
    coreBytes: encodeCore(core),
    route: { ...route },
    sig,
    payload,
  }))

/** One way to damage an encoding. */
export type Mutation =
  | { op: 'truncate'; at: number }
  | { op: 'flip'; bit: number }
  | { op: 'set'; at: number; value: number }
  | { op: 'insert'; at: number; bytes: Uint8Array }
  | { op: 'length'; field: 0 | 1 | 2; value: number }

export const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('flip' as const), bit: fc.nat() }),
  fc.record({ op: fc.constant('set' as const), at: fc.nat(), value: fc.nat(255) }),
  fc.record({
    op: fc.constant('insert' as const),
    at: fc.nat(),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }),
  }),
  fc.record({
    op: fc.constant('length' as const),
    field: fc.constantFrom(0 as const, 1 as const, 2 as const),
    value: fc.oneof(fc.nat(), fc.constantFrom(0, 0xffff, 0xffffffff, 0x7fffffff)),
  }),
)

/** Applies `m` to a copy of `bytes`; positions wrap around the input length. */
export function mutate(bytes: Uint8Array, m: Mutation): Uint8Array {
  const out = bytes.slice()
  const pos = (n: number) => n % Math.max(1, bytes.length)
  switch (m.op) {
    case 'truncate':
      return out.subarray(0, pos(m.at))
    case 'flip':
      out[pos(m.bit >> 3)]! ^= 1 << (m.bit & 7)
      return out
    case 'set':
      out[pos(m.at)] = m.value
      return out
    case 'insert': {
      const at = pos(m.at)
      const grown = new Uint8Array(bytes.length + m.bytes.length)
      grown.set(bytes.subarray(0, at), 0)
      grown.set(m.bytes, at)
      grown.set(bytes.subarray(at), at + m.bytes.length)
      return grown
    }
    case 'length':
      return rewriteLength(out, m.field, m.value)
  }
}

/** Overwrites one of the three length prefixes (core, route, signature) with `value`. */
function rewriteLength(out: Uint8Array, field: 0 | 1 | 2, value: number): Uint8Array {
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength)
  let at = 2
  for (let i = 0; i < field; i++) {
    if (at + 4 > out.length) return out
    at += 4 + view.getUint32(at)
  }
  if (field === 2) {
    if (at + 2 <= out.length) view.setUint16(at, value & 0xffff)
  } else if (at + 4 <= out.length) {
    view.setUint32(at, value >>> 0)
  }
  return out
}
