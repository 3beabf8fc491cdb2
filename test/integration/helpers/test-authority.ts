import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml'
import { type Identity, loadOrCreateIdentity } from '../../../node/identity/keys.ts'
import {
  type AuthorityKeyPair,
  encodeAuthorityKey,
  generateAuthorityKey,
} from '../../../node/trust/authority-key.ts'
import { type RosterMember, type SignedRoster, signRoster } from '../../../node/trust/roster.ts'
import { encodeSignedRoster } from '../../../node/trust/roster-file.ts'
import type { TestMesh } from './test-mesh.ts'

const FEDERATION = 'trust-test'
const DAY_MS = 24 * 3_600_000

/** What a roster issued in a test says; everything but the version has a default. */
export interface RosterSpec {
  version: number
  /** Member names. @default every node of the mesh */
  members?: string[]
  /** Who may call `inbox` at a member (member names or `*`). @default `['*']` for every member */
  inbox?: Record<string, string[]>
  /** Validity from now, in ms. @default 30 days */
  validForMs?: number
}

/**
 * The federation authority of a test mesh. The mesh builder signs its roster
 * with a key it keeps to itself, so a test that needs to issue newer rosters
 * takes over: its own key goes into every node's config and a roster signed
 * with it into every node's folder, before the gateways start.
 */
export class TestAuthority {
  readonly key: AuthorityKeyPair
  readonly #mesh: TestMesh
  readonly #identities: Map<string, Identity>

  private constructor(mesh: TestMesh, identities: Map<string, Identity>) {
    this.key = generateAuthorityKey()
    this.#mesh = mesh
    this.#identities = identities
  }

  /** Takes over `mesh`: installs `first` (signed by a fresh authority key) on every node. */
  static async adopt(mesh: TestMesh, first: RosterSpec): Promise<TestAuthority> {
    const identities = new Map<string, Identity>()
    for (const node of mesh.mesh.nodes.values()) {
      identities.set(node.id, await loadOrCreateIdentity(join(node.dir, 'data')))
    }
    const authority = new TestAuthority(mesh, identities)
    const signed = authority.sign(first)
    const authorityKey = encodeAuthorityKey(authority.key.publicKey)
    for (const node of mesh.mesh.nodes.keys()) {
      await editConfig(mesh, node, (config) => {
        config.authorityKey = authorityKey
      })
      await authority.install(node, signed)
    }
    return authority
  }

  /** The identity (keys) kept in a node's data directory. */
  identity(name: string): Identity {
    const identity = this.#identities.get(name)
    if (identity === undefined) throw new Error(`no node ${name}`)
    return identity
  }

  /** A roster signed with this authority's key (or with `signer`, to forge one). */
  sign(spec: RosterSpec, signer: Uint8Array = this.key.secretKey): SignedRoster {
    const now = Date.now()
    const names = spec.members ?? [...this.#identities.keys()]
    return signRoster(
      {
        federation: FEDERATION,
        version: spec.version,
        issuedAt: new Date(now).toISOString(),
        validUntil: new Date(now + (spec.validForMs ?? 30 * DAY_MS)).toISOString(),
        members: names.map((name) => this.#member(name, spec.inbox?.[name] ?? ['*'])),
        groups: {},
      },
      signer,
    )
  }

  /** Replaces the roster file of `node` (what an operator does by hand). */
  async install(node: string, signed: SignedRoster): Promise<void> {
    const dir = this.#mesh.mesh.nodes.get(node)?.dir
    if (dir === undefined) throw new Error(`no node ${node}`)
    await writeFile(join(dir, 'roster.json'), encodeSignedRoster(signed))
  }

  #member(name: string, inboxCallers: string[]): RosterMember {
    const identity = this.identity(name)
    return {
      name,
      peerId: identity.peerId.toString(),
      encryptionKey: Buffer.from(identity.sealing.publicKey).toString('base64'),
      addresses: [],
      services: [{ name: 'inbox', allow: inboxCallers }],
    }
  }
}

/** Rewrites one node's gateway config in place; the gateway reads it on its next start. */
export async function editConfig(
  mesh: TestMesh,
  node: string,
  edit: (config: Record<string, unknown>) => void,
): Promise<void> {
  const file = mesh.mesh.nodes.get(node)?.configFile
  if (file === undefined) throw new Error(`no node ${node}`)
  const config = parseYaml(await readFile(file, 'utf8')) as Record<string, unknown>
  edit(config)
  await writeFile(file, stringifyYaml(config))
}
