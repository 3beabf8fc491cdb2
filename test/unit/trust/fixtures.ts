import { generateKeyPair } from '@libp2p/crypto/keys'
import type { Ed25519PrivateKey } from '@libp2p/interface'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import type { SealingKeyPair } from '../../../node/identity/keys.ts'
import { generateAuthorityKey } from '../../../node/trust/authority-key.ts'
import {
  type Roster,
  type RosterDocument,
  type RosterMember,
  signRoster,
  verifyRoster,
} from '../../../node/trust/roster.ts'
import { generateSealingKeyPair } from '../../../node/trust/seal.ts'

/** A gateway as tests need it: its roster entry and its secrets. */
export interface TestGateway {
  name: string
  signer: Ed25519PrivateKey
  sealing: SealingKeyPair
  member: RosterMember
}

export async function makeGateway(
  name: string,
  services: RosterMember['services'] = [],
): Promise<TestGateway> {
  const signer = await generateKeyPair('Ed25519')
  const sealing = generateSealingKeyPair()
  const member: RosterMember = {
    name,
    peerId: peerIdFromPrivateKey(signer).toString(),
    encryptionKey: Buffer.from(sealing.publicKey).toString('base64'),
    addresses: [],
    services,
  }
  return { name, signer, sealing, member }
}

export const T0 = Date.parse('2030-01-01T00:00:00.000Z')
export const DAY = 86_400_000

export function makeDocument(
  members: RosterMember[],
  overrides: Partial<RosterDocument> = {},
): RosterDocument {
  return {
    federation: 'test',
    version: 1,
    issuedAt: new Date(T0).toISOString(),
    validUntil: new Date(T0 + 30 * DAY).toISOString(),
    members,
    groups: {},
    ...overrides,
  }
}

/**
 * Three gateways: `ee/records` offers `records` to the `@health` group and
 * `archive` to everyone; `ee/clinic` is in `@health`; `ee/school` is not.
 */
export async function makeFederation(): Promise<{
  authority: ReturnType<typeof generateAuthorityKey>
  records: TestGateway
  clinic: TestGateway
  school: TestGateway
  doc: RosterDocument
  roster: Roster
}> {
  const authority = generateAuthorityKey()
  const records = await makeGateway('ee/records', [
    { name: 'records', allow: ['@health'] },
    { name: 'archive', allow: ['*'] },
  ])
  const clinic = await makeGateway('ee/clinic', [{ name: 'intake', allow: ['ee/records'] }])
  const school = await makeGateway('ee/school')
  const doc = makeDocument([records.member, clinic.member, school.member], {
    groups: { health: ['ee/clinic'] },
  })
  const signed = signRoster(doc, authority.secretKey)
  const roster = verifyRoster(JSON.stringify(signed), authority.publicKey)
  return { authority, records, clinic, school, doc, roster }
}
