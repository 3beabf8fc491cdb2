import { BenchMesh } from './bench-mesh.ts'
import { type BenchContext, compare, type Figure, trialCount } from './figure.ts'
import { unloadedLatencies } from './gateway-load.ts'
import { LOAD_NOTES, loadRows, loadTrials, type Route, syncDetails } from './gateway-one-hop.ts'
import { rawOverlay } from './raw-overlay.ts'
import { latencyPercentiles, summarize } from './stats.ts'

/** The unloaded latency the team is going for over three hops on loopback, ms. */
const UNLOADED_P99_TARGET_MS = 20

async function unloadedTrials(ctx: BenchContext, bench: BenchMesh, route: Route) {
  const trials = trialCount(ctx, 4, 2)
  const count = ctx.quick ? 30 : 60
  await unloadedLatencies(bench, route, 10)
  const results: Array<{ p50: number; p99: number }> = []
  for (let t = 1; t <= trials; t++) {
    const p = latencyPercentiles(await unloadedLatencies(bench, route, count))
    results.push(p)
    ctx.progress(
      `unloaded ${t}/${trials}: ${count} messages, ` +
        `p50 ${p.p50.toFixed(1)} ms, p99 ${p.p99.toFixed(1)} ms`,
    )
  }
  return results
}

export const gatewayThreeHops: Figure = {
  id: 'gateway-three-hops',
  title: '4. Gateway, three hops: a -> b -> c -> d, relays take custody',
  async run(ctx) {
    const raw = await rawOverlay(ctx)
    const route: Route = { from: 'a', to: 'd', nodes: ['a', 'b', 'c', 'd'] }
    const links: Array<[string, string]> = [
      ['a', 'b'],
      ['b', 'c'],
      ['c', 'd'],
    ]
    const bench = await BenchMesh.start(route.nodes, links)
    try {
      await bench.waitForRoute('a', 'd')
      const unloaded = await unloadedTrials(ctx, bench, route)
      const loaded = await loadTrials(ctx, bench, route)
      const idle = raw.viaProxy
      const x3 = (s: typeof idle.idleP50) => summarize([s.median * 3, s.min * 3, s.max * 3])
      const p99 = summarize(unloaded.map((u) => u.p99))
      return {
        rows: [
          ...loadRows(loaded, raw, route),
          compare('one at a time, latency p50', 'ms', summarize(unloaded.map((u) => u.p50)), {
            label: 'raw hop x3',
            value: x3(idle.idleP50),
          }),
          compare(
            '  latency p99',
            'ms',
            p99,
            { label: 'raw hop x3', value: x3(idle.idleP99) },
            {
              text: `< ${UNLOADED_P99_TARGET_MS} ms`,
              pass: p99.median < UNLOADED_P99_TARGET_MS,
            },
          ),
        ],
        notes: [
          ...LOAD_NOTES,
          'One at a time: the next message is sent 20 ms after the previous one arrived, so its',
          'receipt is home and the path is idle. The baseline is three raw one-frame round trips.',
        ],
        details: { trials: syncDetails(loaded), unloaded },
      }
    } finally {
      await bench.close()
    }
  },
}
