import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { isLifelineError } from '../../../node/core/errors.ts'
import { generateAuthorityKey } from '../../../node/trust/authority-key.ts'
import {
  type RosterDocument,
  type SignedRoster,
  signRoster,
  verifyRoster,
} from '../../../node/trust/roster.ts'
import { DAY, makeDocument, makeFederation, makeGateway, T0 } from './fixtures.ts'

const fed = await makeFederation()

function resign(mutate: (signed: SignedRoster) => void): string {
  const signed = structuredClone(signRoster(fed.doc, fed.authority.secretKey))
  mutate(signed)
  return JSON.stringify(signed)
}

/** The same 64 signature bytes in a non-canonical base64 spelling (unused low bits set). */
function paddingVariant(signature: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
  const last = alphabet[alphabet.indexOf(signature[85]!) ^ 1]!
  return `${signature.slice(0, 85)}${last}==`
}

function assertCode(fn: () => unknown, code: string, pattern?: RegExp): void {
  assert.throws(fn, (err) => {
    assert.ok(isLifelineError(err), `expected a LifelineError, got ${err}`)
    assert.equal(err.code, code)
    if (pattern !== undefined) assert.match(err.message, pattern)
    return true
  })
}

describe('signed roster', () => {
  test('a roster signed by the authority verifies and exposes its document', () => {
    const r = fed.roster
    assert.equal(r.federation, 'test')
    assert.equal(r.version, 1)
    assert.equal(r.issuedAt, T0)
    assert.equal(r.validUntil, T0 + 30 * DAY)
    assert.deepEqual(
      r.members().map((m) => m.name),
      ['ee/records', 'ee/clinic', 'ee/school'],
    )
  })

  test('verification does not depend on key order or whitespace in the file', () => {
    const signed = signRoster(fed.doc, fed.authority.secretKey)
    const reordered = {
      signature: signed.signature,
      roster: Object.fromEntries(Object.entries(signed.roster).reverse()),
    }
    const r = verifyRoster(
      new TextEncoder().encode(JSON.stringify(reordered, null, 4)),
      fed.authority.publicKey,
    )
    assert.equal(r.version, 1)
  })

  test('a roster changed after signing fails with BAD_SIGNATURE', () => {
    const text = resign((s) => {
      s.roster.members[0]!.addresses.push('/ip4/6.6.6.6/tcp/1')
    })
    assertCode(() => verifyRoster(text, fed.authority.publicKey), 'BAD_SIGNATURE', /not signed/)
  })

  test('a raised version without a new signature fails with BAD_SIGNATURE', () => {
    const text = resign((s) => {
      s.roster.version = 99
    })
    assertCode(() => verifyRoster(text, fed.authority.publicKey), 'BAD_SIGNATURE')
  })

  test('a roster signed by another key fails with BAD_SIGNATURE', () => {
    const other = generateAuthorityKey()
    const text = JSON.stringify(signRoster(fed.doc, other.secretKey))
    assertCode(() => verifyRoster(text, fed.authority.publicKey), 'BAD_SIGNATURE')
  })

  test('malformed rosters fail with DECODE_FAILED naming the offending path', () => {
    const key = fed.authority.publicKey
    assertCode(() => verifyRoster('{', key), 'DECODE_FAILED', /JSON/)
    assertCode(() => verifyRoster(new Uint8Array([0xff, 0xfe]), key), 'DECODE_FAILED')
    const set = (path: string, value: unknown) => (s: SignedRoster) => {
      const keys = path.split('.')
      const last = keys.pop()!
      let at = s as unknown as Record<string, unknown>
      for (const k of keys) at = at[k] as Record<string, unknown>
      if (value === undefined) delete at[last]
      else at[last] = value
    }
    const cases: Array<[(s: SignedRoster) => void, RegExp]> = [
      [set('roster.members', undefined), /roster\.members/],
      [set('roster.members.1.peerId', 'QmNotAKey'), /members\.1\.peerId/],
      [set('roster.members.0.encryptionKey', 'AAAA'), /members\.0\.encryptionKey/],
      [set('roster.members.2.name', 'ee/records'), /duplicate member/],
      [set('roster.members.0.services.0.allow', ['@nobody']), /allow\.0/],
      [set('roster.groups.health', ['ee/ghost']), /groups\.health\.0/],
      [set('roster.validUntil', fed.doc.issuedAt), /validUntil/],
      [set('roster.version', 1.5), /version/],
      [set('roster.extra', 1), /extra/],
      [set('signature', 'short'), /signature/],
      [set('signature', paddingVariant(fed.roster.signed.signature)), /signature/],
    ]
    for (const [mutate, pattern] of cases) {
      assertCode(() => verifyRoster(resign(mutate), key), 'DECODE_FAILED', pattern)
    }
  })

  test('a peer id that is not Ed25519 is refused', async () => {
    const secp = peerIdFromPrivateKey(await generateKeyPair('secp256k1')).toString()
    const text = resign((s) => {
      s.roster.members[0]!.peerId = secp
    })
    assertCode(() => verifyRoster(text, fed.authority.publicKey), 'DECODE_FAILED', /Ed25519/)
  })

  test('the authority refuses to sign an invalid roster', async () => {
    const a = await makeGateway('ee/a')
    const doc = makeDocument([a.member, a.member])
    assertCode(() => signRoster(doc, fed.authority.secretKey), 'INVALID_CONFIG', /duplicate/)
  })
})

describe('roster queries', () => {
  const r = fed.roster

  test('members are found by name and by peer id', async () => {
    const stranger = peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()
    assert.equal(r.member('ee/clinic')?.peerId, fed.clinic.member.peerId)
    assert.equal(r.memberByPeerId(fed.school.member.peerId)?.name, 'ee/school')
    assert.equal(r.member('ee/nobody'), undefined)
    assert.ok(r.isMemberPeer(fed.records.member.peerId))
    assert.ok(!r.isMemberPeer(stranger))
    assert.equal(r.memberByPeerId(stranger), undefined)
  })

  test('hasService knows exactly the services each member offers', () => {
    assert.ok(r.hasService('ee/records', 'records'))
    assert.ok(r.hasService('ee/clinic', 'intake'))
    assert.ok(!r.hasService('ee/clinic', 'records'))
    assert.ok(!r.hasService('ee/nobody', 'records'))
  })

  test('mayCall expands groups, honours * and refuses everyone else', () => {
    assert.ok(r.mayCall('ee/clinic', 'ee/records', 'records'), 'group member')
    assert.ok(!r.mayCall('ee/school', 'ee/records', 'records'), 'not in the group')
    assert.ok(r.mayCall('ee/school', 'ee/records', 'archive'), '* lets every member in')
    assert.ok(!r.mayCall('ee/outsider', 'ee/records', 'archive'), '* means members only')
    assert.ok(r.mayCall('ee/records', 'ee/clinic', 'intake'), 'named member')
    assert.ok(!r.mayCall('ee/clinic', 'ee/clinic', 'intake'), 'not named')
    assert.ok(!r.mayCall('ee/clinic', 'ee/records', 'missing'), 'unknown service')
  })

  test('sealingKey returns the member encryption key and refuses strangers', () => {
    assert.deepEqual(r.sealingKey('ee/clinic'), fed.clinic.sealing.publicKey)
    assertCode(() => r.sealingKey('ee/nobody'), 'UNKNOWN_DESTINATION')
  })

  test('signingKey is the public key of the member identity', () => {
    assert.ok(r.signingKey('ee/clinic')?.equals(fed.clinic.signer.publicKey))
    assert.equal(r.signingKey('ee/nobody'), undefined)
  })

  test('state is valid until validUntil, then grace for graceMs, then expired', () => {
    const until = T0 + 30 * DAY
    assert.equal(r.state(T0, DAY), 'valid')
    assert.equal(r.state(until, DAY), 'valid')
    assert.equal(r.state(until + 1, DAY), 'grace')
    assert.equal(r.state(until + DAY, DAY), 'grace')
    assert.equal(r.state(until + DAY + 1, DAY), 'expired')
    assert.equal(r.state(until + 1, 0), 'expired')
    assert.equal(r.age(T0 + 5000), 5000)
  })

  test('a higher version of the same federation is newer, nothing else is', () => {
    const sign = (o: Partial<RosterDocument>) =>
      verifyRoster(
        JSON.stringify(signRoster({ ...fed.doc, ...o }, fed.authority.secretKey)),
        fed.authority.publicKey,
      )
    const v2 = sign({ version: 2 })
    assert.ok(v2.isNewerThan(r))
    assert.ok(!r.isNewerThan(v2))
    assert.ok(!r.isNewerThan(sign({ version: 1 })))
    assert.ok(!sign({ version: 3, federation: 'other' }).isNewerThan(r))
  })
})
