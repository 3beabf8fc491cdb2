import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { after, before, describe, test } from 'node:test'
import { readBacklog } from '../../../simulator/runner/gateway-api.ts'
import { scanTree, secretForms } from '../helpers/disk-scan.ts'
import { statusOf } from '../helpers/metrics-reader.ts'
import { editConfig } from '../helpers/test-authority.ts'
import { TestMesh, waitFor } from '../helpers/test-mesh.ts'

/** Unique per run, so a hit can only come from this run's payloads. */
const MARKER = `CLASSIFIED-${randomBytes(12).toString('hex')}-PAYLOAD`

describe('a relay never holds a payload in plaintext', () => {
  let mesh: TestMesh
  const sent: string[] = []
  const relayDir = () => mesh.mesh.nodes.get('bravo')!.dir

  before(async () => {
    // alpha's only neighbour is bravo, so everything alpha sends charlie passes through it.
    mesh = await TestMesh.create({
      nodes: ['alpha', 'bravo', 'charlie'],
      links: [
        ['alpha', 'bravo'],
        ['bravo', 'charlie'],
      ],
      gateway: { retry: { initial: '100ms', max: '1s' } },
    })
    // The relay logs everything it can: per-message detail is where a leak would show.
    await editConfig(mesh, 'bravo', (config) => {
      config.log = { level: 'trace' }
    })
    await editConfig(mesh, 'charlie', (config) => {
      config.store = { maxMessages: 1 }
    })
    await mesh.startAll()
  })
  after(async () => {
    mesh.service.failWith = undefined
    await mesh.close()
  })

  /** Sends `count` messages from alpha to charlie carrying the marker, as base64 payloads. */
  const sendMarked = async (count: number) => {
    for (let i = 0; i < count; i++) {
      const payload = Buffer.from(`record ${sent.length}: ${MARKER} (do not disclose)`)
      const res = await mesh.api('alpha', '/v1/messages', {
        to: 'charlie',
        service: 'inbox',
        payload: payload.toString('base64'),
      })
      assert.equal(res.status, 202, JSON.stringify(res.body))
      sent.push(res.body.id as string)
    }
  }

  test('while messages wait at the relay, its disk holds their ids but not their payload', async () => {
    // charlie holds one message at most and its service is failing, so charlie answers busy
    // and the rest stay in bravo's custody. (A cut link would not do: with no path, alpha
    // keeps the messages itself.)
    mesh.service.failWith = 503
    await sendMarked(5)
    const parked = await waitFor(async () => {
      const backlog = await readBacklog(mesh.gateway('bravo').apiUrl)
      return backlog !== undefined && backlog.outbound >= 4
    }, 10_000)
    assert.ok(parked, 'the messages are in custody at bravo')

    const scan = await scanTree(relayDir(), [...secretForms(MARKER), ...sent])
    const leaks = scan.hits.filter((h) => !sent.includes(h.needle))
    assert.deepEqual(leaks, [], 'no form of the payload text is on the relay')
    // The scan does see the stored envelopes (LevelDB's write-ahead log keeps them verbatim).
    const seen = new Set(scan.hits.map((h) => h.needle))
    assert.ok(seen.size >= 4, `only ${seen.size} of ${sent.length} ids in ${scan.files} files`)

    mesh.service.failWith = undefined
    const delivered = await waitFor(
      () => sent.every((id) => mesh.service.counts('charlie').has(id)),
      20_000,
    )
    assert.ok(delivered, 'the parked messages were delivered once charlie had room')
  })

  test('after delivery neither the relay disk nor its log holds the payload; charlie got it', async () => {
    await sendMarked(5)
    const done = await waitFor(async () => {
      for (const id of sent)
        if ((await statusOf(mesh, 'alpha', id)).status !== 'delivered') return false
      return true
    }, 20_000)
    assert.ok(done, 'every message delivered with its receipt back at alpha')
    for (const arrival of mesh.service.arrivals.filter((a) => a.node === 'charlie')) {
      assert.ok(arrival.body.toString('utf8').includes(MARKER), 'charlie reads the plaintext')
    }
    // A clean stop flushes the log and closes the store before the last look.
    await mesh.gateway('bravo').stop()
    const log = await readFile(mesh.mesh.nodes.get('bravo')!.logFile, 'utf8')
    assert.match(log, /"level":"trace"/, 'the relay logged at trace level')
    const scan = await scanTree(relayDir(), secretForms(MARKER))
    assert.ok(scan.files >= 5 && scan.bytes > 0, `scanned ${scan.files} files`)
    assert.deepEqual(scan.hits, [], 'no form of the payload text on the relay, log included')
  })
})
