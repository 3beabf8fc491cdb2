import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { promisify } from 'node:util'
import { loadConfig } from '../../../node/config/load.ts'
import type { Config } from '../../../node/config/schema.ts'
import { loadOrCreateIdentity } from '../../../node/identity/keys.ts'
import { parseAuthorityKey } from '../../../node/trust/authority-key.ts'
import { type Roster, verifyRoster } from '../../../node/trust/roster.ts'

const run = promisify(execFile)
const ROOT = join(import.meta.dirname, '../../..')
const SCRIPT = join(ROOT, 'dashboards/compose/init-mesh.sh')
const GATEWAYS = ['gateway-a', 'gateway-b', 'gateway-c']

/** Runs the compose mesh-init script against a temp folder with this checkout's CLI. */
function initMesh(meshDir: string) {
  const node = process.execPath
  return run('sh', [SCRIPT], {
    env: {
      ...process.env,
      PATH: `${dirname(node)}:${process.env.PATH}`,
      MESH_DIR: meshDir,
      GATEWAYS: GATEWAYS.join(' '),
      SINK_URL: 'http://sink:9000',
      LIFELINE: `${node} ${join(ROOT, 'node/cli/bin.ts')}`,
      OWNER: `${process.getuid?.() ?? 0}:${process.getgid?.() ?? 0}`,
    },
    timeout: 60_000,
  })
}

describe('compose mesh-init script', { timeout: 90_000 }, () => {
  let dir = ''
  let configs = new Map<string, Config>()
  let roster: Roster | undefined
  let authorityKey = ''

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lifeline-compose-init-'))
    await initMesh(dir)
    authorityKey = (await readFile(join(dir, 'authority/authority.pub'), 'utf8')).trim()
    roster = verifyRoster(
      await readFile(join(dir, 'authority/roster.json'), 'utf8'),
      parseAuthorityKey(authorityKey),
    )
    configs = new Map()
    for (const gw of GATEWAYS) configs.set(gw, await loadConfig(join(dir, gw, 'lifeline.yaml')))
  })

  after(() => rm(dir, { recursive: true, force: true }))

  test('writes a config every gateway accepts, trusting the authority that signed the roster', async () => {
    for (const gw of GATEWAYS) {
      const config = configs.get(gw)!
      assert.equal(config.name, gw)
      assert.equal(config.authorityKey, authorityKey)
      assert.equal(config.dataDir, join(dir, gw))
      assert.equal(config.api.host, '0.0.0.0')
      assert.equal(config.api.port, 8080)
      assert.deepEqual(
        config.services.map((s) => [s.name, s.url]),
        [['inbox', `http://sink:9000/${gw}/inbox`]],
      )
      const copy = verifyRoster(
        await readFile(config.roster, 'utf8'),
        parseAuthorityKey(config.authorityKey),
      )
      assert.equal(copy.version, roster!.version)
    }
  })

  test('lists in the roster each gateway with the identity in its own data directory', async () => {
    assert.deepEqual(
      roster!
        .members()
        .map((m) => m.name)
        .sort(),
      GATEWAYS,
    )
    for (const gw of GATEWAYS) {
      const identity = await loadOrCreateIdentity(join(dir, gw))
      const member = roster!.member(gw)!
      assert.equal(member.peerId, identity.peerId.toString())
      assert.deepEqual(member.addresses, [`/dns4/${gw}/tcp/4001`])
      assert.deepEqual(roster!.sealingKey(gw), identity.sealing.publicKey)
      for (const caller of GATEWAYS) assert.ok(roster!.mayCall(caller, gw, 'inbox'))
    }
  })

  test('connects every pair of gateways through exactly one dialler', () => {
    for (const [i, a] of GATEWAYS.entries()) {
      for (const b of GATEWAYS.slice(i + 1)) {
        const ab = configs.get(a)!.neighbours.find((n) => n.name === b)
        const ba = configs.get(b)!.neighbours.find((n) => n.name === a)
        assert.deepEqual(ab?.addresses, [`/dns4/${b}/tcp/4001`], `${a} dials ${b}`)
        assert.deepEqual(ba?.addresses, [], `${b} waits for ${a}`)
      }
    }
  })

  test('keeps each gateway folder and config private to its owner', async () => {
    for (const gw of GATEWAYS) {
      assert.equal((await stat(join(dir, gw))).mode & 0o777, 0o700)
      assert.equal((await stat(join(dir, gw, 'lifeline.yaml'))).mode & 0o777, 0o600)
    }
  })

  test('does nothing when run again, so restarting compose keeps the federation', async () => {
    const before = await readFile(join(dir, 'authority/roster.json'), 'utf8')
    const { stdout } = await initMesh(dir)
    assert.match(stdout, /already initialised/)
    assert.equal(await readFile(join(dir, 'authority/roster.json'), 'utf8'), before)
  })
})
