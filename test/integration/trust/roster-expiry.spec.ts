import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { encodeSignedRoster } from '../../../node/trust/roster-file.ts'
import { metric, readiness, rejected, statusOf } from '../helpers/metrics-reader.ts'
import { RoguePeer } from '../helpers/rogue-peer.ts'
import { TestAuthority } from '../helpers/test-authority.ts'
import { TestMesh, waitFor } from '../helpers/test-mesh.ts'

const VALID_FOR_MS = 6_000
const GRACE_MS = 3_000

interface LinkView {
  peer: string
  up: boolean
}

const sleepUntil = (at: number) => new Promise((r) => setTimeout(r, Math.max(0, at - Date.now())))

describe('past valid-until plus grace, new work is refused while the backlog drains', () => {
  let mesh: TestMesh
  let authority: TestAuthority
  let courier: RoguePeer

  before(async () => {
    // mallory's key carries the short-lived roster in once both gateways run, so how long
    // they take to start does not eat into its validity.
    mesh = await TestMesh.create({
      nodes: ['alpha', 'bravo', 'mallory'],
      links: [
        ['alpha', 'bravo'],
        ['mallory', 'alpha'],
      ],
      gateway: { rosterGrace: `${GRACE_MS}ms`, retry: { initial: '100ms', max: '1s' } },
    })
    authority = await TestAuthority.adopt(mesh, { version: 1 })
    await Promise.all([mesh.gateway('alpha').start(), mesh.gateway('bravo').start()])
    courier = await RoguePeer.start(authority.identity('mallory').privateKey)
  })
  after(async () => {
    await courier?.stop().catch(() => {})
    await mesh.close()
  })

  const submit = (text: string) => mesh.send('alpha', 'bravo', text)

  test('messages accepted before expiry and in grace are delivered; after grace new ones get ROSTER_EXPIRED', async () => {
    const shortLived = authority.sign({ version: 2, validForMs: VALID_FOR_MS })
    const validUntil = Date.parse(shortLived.roster.validUntil)
    const wire = new TextEncoder().encode(encodeSignedRoster(shortLived))
    await courier.flood(mesh.mesh.nodes.get('alpha')!, 'roster', wire)
    const onV2 = async () =>
      (await readiness(mesh, 'alpha')).checks.rosterVersion === 2 &&
      (await readiness(mesh, 'bravo')).checks.rosterVersion === 2
    assert.ok(await waitFor(onV2, 5_000), 'both gateways run on the short-lived roster')

    // Cut alpha off so what it accepts becomes a backlog.
    mesh.proxy('alpha-bravo').cut({ mode: 'blackhole' })
    const cut = async () => {
      const links = (await mesh.api('alpha', '/v1/links')).body as unknown as LinkView[]
      return links.some((l) => l.peer === 'bravo' && !l.up)
    }
    assert.ok(await waitFor(cut, 5_000), 'alpha saw the link go down')
    const backlog: string[] = []
    for (let i = 0; i < 3; i++) {
      const res = await submit(`before expiry ${i}`)
      assert.equal(res.status, 202, JSON.stringify(res.body))
      backlog.push(res.body.id)
    }
    assert.ok(Date.now() < validUntil, 'the backlog was accepted on a valid roster')

    await sleepUntil(validUntil + 300)
    const grace = await readiness(mesh, 'alpha')
    assert.equal(grace.checks.roster, 'grace')
    assert.equal(grace.status, 200, 'still ready in grace')
    assert.equal(await metric(mesh, 'alpha', 'lifeline_roster_stale'), 1)
    const inGrace = await submit('during grace')
    assert.equal(inGrace.status, 202, 'grace keeps the gateway working')
    backlog.push(inGrace.body.id)

    await sleepUntil(validUntil + GRACE_MS + 300)
    const refusedBefore = await rejected(mesh, 'alpha', 'ROSTER_EXPIRED')
    const late = await submit('after grace')
    assert.equal(late.status, 503)
    assert.equal(late.body.error.code, 'ROSTER_EXPIRED')
    assert.match(late.body.error.message, /expired/)
    const call = await mesh.api('alpha', '/v1/calls', { to: 'bravo', service: 'inbox', text: 'x' })
    assert.equal(call.status, 503)
    assert.equal(call.body.error.code, 'ROSTER_EXPIRED')
    assert.equal(await rejected(mesh, 'alpha', 'ROSTER_EXPIRED'), refusedBefore + 2)
    const expired = await readiness(mesh, 'alpha')
    assert.equal(expired.status, 503)
    assert.equal(expired.checks.roster, 'expired')

    // The backlog still drains once the link is back, receipts included.
    mesh.proxy('alpha-bravo').restore()
    const drained = await waitFor(
      () => backlog.every((id) => mesh.service.counts('bravo').has(id)),
      20_000,
    )
    assert.ok(drained, 'every message accepted before expiry was delivered')
    const receipted = async () => {
      for (const id of backlog) {
        if ((await statusOf(mesh, 'alpha', id)).status !== 'delivered') return false
      }
      return true
    }
    assert.ok(await waitFor(receipted, 15_000), 'their receipts reached alpha')
    assert.equal(mesh.service.arrivals.filter((a) => a.node === 'bravo').length, backlog.length)
  })
})
