import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { generateAuthorityKey } from '../../../node/trust/authority-key.ts'
import { parseSignedRoster } from '../../../node/trust/roster.ts'
import { encodeSignedRoster } from '../../../node/trust/roster-file.ts'
import { readiness, rejected, statusOf } from '../helpers/metrics-reader.ts'
import { RoguePeer } from '../helpers/rogue-peer.ts'
import { TestAuthority } from '../helpers/test-authority.ts'
import { TestMesh, waitFor } from '../helpers/test-mesh.ts'

/** The federation's five running gateways, in a line: a roster has four hops to travel. */
const LINE = ['alpha', 'bravo', 'charlie', 'delta', 'echo']
const bytes = (text: string) => new TextEncoder().encode(text)

describe('a newer roster spreads over the overlay; a forged one goes nowhere', () => {
  let mesh: TestMesh
  let authority: TestAuthority
  let courier: RoguePeer

  before(async () => {
    // mallory is a member whose gateway never runs: the test hands rosters to alpha with its
    // key. frank is configured as echo's neighbour but joins the roster only in v2.
    mesh = await TestMesh.create({
      nodes: [...LINE, 'mallory', 'frank'],
      links: [
        ['alpha', 'bravo'],
        ['bravo', 'charlie'],
        ['charlie', 'delta'],
        ['delta', 'echo'],
        ['mallory', 'alpha'],
        ['frank', 'echo'],
      ],
      gateway: { retry: { initial: '100ms', max: '1s' } },
    })
    authority = await TestAuthority.adopt(mesh, { version: 1, members: [...LINE, 'mallory'] })
    await Promise.all(LINE.map((name) => mesh.gateway(name).start()))
    courier = await RoguePeer.start(authority.identity('mallory').privateKey)
  })
  after(async () => {
    await courier?.stop().catch(() => {})
    await mesh.close()
  })

  const versions = () =>
    Promise.all(LINE.map(async (name) => (await readiness(mesh, name)).checks.rosterVersion))

  test('rosters not signed by the authority are refused and counted, and not passed on', async () => {
    const alpha = mesh.mesh.nodes.get('alpha')!
    const impostor = generateAuthorityKey()
    const wrongKey = authority.sign({ version: 3 }, impostor.secretKey)
    const genuine = authority.sign({ version: 4, members: [...LINE, 'mallory'] })
    // A genuine signature over a document edited afterwards.
    const edited = { ...genuine, roster: { ...genuine.roster, version: 5 } }
    for (const forged of [wrongKey, edited]) {
      await courier.flood(alpha, 'roster', bytes(encodeSignedRoster(forged)))
    }
    assert.ok(
      await waitFor(async () => (await rejected(mesh, 'alpha', 'BAD_ROSTER')) === 2, 10_000),
      'alpha refused both',
    )
    assert.deepEqual(await versions(), [1, 1, 1, 1, 1])
    for (const name of LINE.slice(1)) assert.equal(await rejected(mesh, name, 'BAD_ROSTER'), 0)
  })

  test('a genuine v2 handed to one gateway reaches all five and is kept on disk', async () => {
    const v2 = authority.sign({ version: 2 })
    await courier.flood(mesh.mesh.nodes.get('alpha')!, 'roster', bytes(encodeSignedRoster(v2)))
    const spread = await waitFor(async () => (await versions()).every((v) => v === 2), 20_000)
    // Exactly 2 everywhere: had a forged v3, v4 or v5 been taken, v2 would have been ignored.
    assert.ok(spread, `versions ${JSON.stringify(await versions())}`)
    const echoFile = join(mesh.mesh.nodes.get('echo')!.dir, 'roster.json')
    const kept = parseSignedRoster(await readFile(echoFile, 'utf8'))
    assert.equal(kept.roster.version, 2)
    assert.ok(kept.roster.members.some((m) => m.name === 'frank'))
  })

  test('the member v2 added joins through its neighbour and exchanges both ways', async () => {
    await authority.install('frank', authority.sign({ version: 2 }))
    await mesh.gateway('frank').start()
    const toFrank = await mesh.send('alpha', 'frank', 'welcome')
    const fromFrank = await mesh.send('frank', 'alpha', 'hello')
    assert.equal(toFrank.status, 202, JSON.stringify(toFrank.body))
    assert.equal(fromFrank.status, 202, JSON.stringify(fromFrank.body))
    const arrived = await waitFor(
      () =>
        mesh.service.counts('frank').has(toFrank.body.id) &&
        mesh.service.counts('alpha').has(fromFrank.body.id),
      30_000,
    )
    assert.ok(arrived, 'both messages delivered across the line')
    const receipted = async () =>
      (await statusOf(mesh, 'frank', fromFrank.body.id)).status === 'delivered'
    assert.ok(await waitFor(receipted, 15_000), "alpha's receipt reached frank")
  })
})
