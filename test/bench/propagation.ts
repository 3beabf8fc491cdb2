/**
 * How long a topology change takes to reach every gateway of a 20-node mesh:
 * a ring with chords (each gateway linked to the next and to the fifth next),
 * one link blackholed, then every gateway's link-state database polled until
 * neither end's record lists the link. Reports detection (cut until the first
 * gateway knows) and flooding (first gateway until the last).
 *
 * Run: `node test/bench/propagation.ts [--nodes 20] [--trials 3]`. It starts
 * real gateway processes, so it is slow on a 2-core machine; it is not part of
 * `npm test`.
 */
import { parseArgs } from 'node:util'
import { TestMesh, waitFor } from '../integration/helpers/test-mesh.ts'

const { values } = parseArgs({
  options: { nodes: { type: 'string', default: '20' }, trials: { type: 'string', default: '3' } },
})
const n = Number(values.nodes)
const names = Array.from({ length: n }, (_, i) => `g${String(i).padStart(2, '0')}`)
const links: Array<[string, string]> = []
for (let i = 0; i < n; i++) {
  links.push([names[i]!, names[(i + 1) % n]!])
  if (n > 10 && i % 2 === 0) links.push([names[i]!, names[(i + 5) % n]!])
}

interface Records {
  linkState: Array<{ origin: string; links: Array<{ peer: string }> }>
  destinations: unknown[]
}

async function view(mesh: TestMesh, node: string): Promise<Records | undefined> {
  try {
    return (await mesh.api(node, '/v1/routes')).body as unknown as Records
  } catch {
    return undefined
  }
}

/** Whether `node` still believes in the link a–b (either end's record lists it). */
async function believes(mesh: TestMesh, node: string, a: string, b: string) {
  const v = await view(mesh, node)
  if (v === undefined) return true
  const listed = (origin: string, peer: string) =>
    v.linkState.some((r) => r.origin === origin && r.links.some((l) => l.peer === peer))
  return listed(a, b) || listed(b, a)
}

const log = (msg: string) => process.stderr.write(`${msg}\n`)
const mesh = await TestMesh.create({ nodes: names, links })
try {
  log(`starting ${n} gateways`)
  for (const gw of mesh.gateways.values()) await gw.start()
  const converged = await waitFor(async () => {
    for (const node of names) {
      if (((await view(mesh, node))?.destinations.length ?? 0) < n - 1) return false
    }
    return true
  }, 120_000)
  if (!converged) throw new Error('the mesh never converged')
  const results: Array<{ detectMs: number; floodMs: number; totalMs: number }> = []
  for (let t = 0; t < Number(values.trials); t++) {
    const [a, b] = links[(t * 7) % links.length]!
    const proxy = mesh.proxy(`${a}-${b}`)
    const cutAt = Date.now()
    proxy.cut({ mode: 'blackhole', direction: 'both' })
    const learnt = new Map<string, number>()
    while (learnt.size < n && Date.now() - cutAt < 30_000) {
      await Promise.all(
        names
          .filter((node) => !learnt.has(node))
          .map(async (node) => {
            if (!(await believes(mesh, node, a, b))) learnt.set(node, Date.now() - cutAt)
          }),
      )
      await new Promise((r) => setTimeout(r, 50))
    }
    const times = [...learnt.values()]
    const first = Math.min(...times)
    const last = Math.max(...times)
    results.push({ detectMs: first, floodMs: last - first, totalMs: last })
    log(
      `trial ${t + 1}: link ${a}-${b}: first knew after ${first} ms, all ${learnt.size} after ${last} ms`,
    )
    proxy.restore()
    await waitFor(async () => believes(mesh, a, a, b), 30_000)
    await new Promise((r) => setTimeout(r, 3000))
  }
  process.stdout.write(`${JSON.stringify({ nodes: n, links: links.length, results })}\n`)
} finally {
  await mesh.close()
}
