import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { decodeEnvelope } from '../../../node/core/envelope.ts'
import { verifyReceipt } from '../../../node/trust/receipt.ts'
import { verifyRoster } from '../../../node/trust/roster.ts'
import { readiness, rejected, statusOf } from '../helpers/metrics-reader.ts'
import { TestAuthority } from '../helpers/test-authority.ts'
import { TestMesh, waitFor } from '../helpers/test-mesh.ts'

describe("access rights are decided at the destination, against the destination's roster", () => {
  let mesh: TestMesh
  let authority: TestAuthority

  before(async () => {
    // bravo is the destination; alpha and charlie reach it over their own links.
    mesh = await TestMesh.create({
      nodes: ['alpha', 'bravo', 'charlie'],
      links: [
        ['alpha', 'bravo'],
        ['charlie', 'bravo'],
      ],
      gateway: { retry: { initial: '100ms', max: '1s' } },
    })
    authority = await TestAuthority.adopt(mesh, { version: 1 })
  })
  after(() => mesh.close())

  test('a caller the roster no longer allows gets a signed FORBIDDEN receipt; an allowed one is delivered', async () => {
    // Both senders hold roster v1, where everyone may call bravo's inbox, so their own
    // pre-checks pass and both messages are accepted while bravo is down.
    await Promise.all([mesh.gateway('alpha').start(), mesh.gateway('charlie').start()])
    const denied = await mesh.send('alpha', 'bravo', 'from alpha')
    const allowed = await mesh.send('charlie', 'bravo', 'from charlie')
    assert.equal(denied.status, 202, JSON.stringify(denied.body))
    assert.equal(allowed.status, 202, JSON.stringify(allowed.body))

    // bravo comes up with v2, where only charlie may call its inbox.
    const v2 = authority.sign({ version: 2, inbox: { bravo: ['charlie'] } })
    await authority.install('bravo', v2)
    await mesh.gateway('bravo').start()

    const settled = async (node: string, id: string) =>
      ['delivered', 'rejected'].includes((await statusOf(mesh, node, id)).status)
    assert.ok(await waitFor(() => settled('alpha', denied.body.id), 20_000), 'alpha heard back')
    assert.ok(await waitFor(() => settled('charlie', allowed.body.id), 20_000), 'charlie too')

    const refusal = await statusOf(mesh, 'alpha', denied.body.id)
    assert.equal(refusal.status, 'rejected')
    assert.equal(refusal.reason, 'FORBIDDEN')
    assert.equal(refusal.receipt.outcome, 'rejected')
    assert.equal((await statusOf(mesh, 'charlie', allowed.body.id)).status, 'delivered')
    assert.ok(!mesh.service.counts('bravo').has(denied.body.id), 'the service never saw it')
    assert.equal(mesh.service.counts('bravo').get(allowed.body.id), 1)
    assert.equal(await rejected(mesh, 'bravo', 'FORBIDDEN'), 1)

    // The refusal is bravo's signed word, checkable by anyone holding the roster.
    const receipt = decodeEnvelope(Buffer.from(refusal.receipt.envelope, 'base64'))
    const roster = verifyRoster(JSON.stringify(v2), authority.key.publicKey)
    const body = await verifyReceipt(receipt, { id: denied.body.id, dst: 'bravo' }, roster, {
      now: Date.now(),
      maxSkewMs: 60_000,
      maxAgeMs: 3_600_000,
      sealingSecret: authority.identity('alpha').sealing.privateKey,
    })
    assert.equal(body.outcome, 'rejected')
    assert.equal(body.reason, 'FORBIDDEN')
  })

  test('once v2 has spread, the sender refuses the call itself with 403 FORBIDDEN', async () => {
    const spread = async () => (await readiness(mesh, 'alpha')).checks.rosterVersion === 2
    assert.ok(await waitFor(spread, 10_000), 'bravo handed v2 to alpha')
    const res = await mesh.send('alpha', 'bravo', 'try again')
    assert.equal(res.status, 403)
    assert.equal(res.body.error.code, 'FORBIDDEN')
    const ok = await mesh.send('charlie', 'bravo', 'still welcome')
    assert.equal(ok.status, 202)
  })
})
