import { BenchMesh } from './bench-mesh.ts'
import { type BenchContext, compare, type Figure, type Row, trialCount } from './figure.ts'
import { CLIENTS, describeTrial, type LoadTrial, loadSeconds, loadTrial } from './gateway-load.ts'
import { type RawOverlay, rawOverlay } from './raw-overlay.ts'
import { formatNumber } from './report.ts'
import { summarize } from './stats.ts'

/** Who sends to whom, and every gateway on the way (for fsync counters). */
export interface Route {
  from: string
  to: string
  nodes: string[]
}

/** A warm-up, then `trials` loaded trials; one progress line each. */
export async function loadTrials(ctx: BenchContext, bench: BenchMesh, route: Route) {
  const trials = trialCount(ctx, 4, 2)
  // Warm-up as long as a trial: shorter ones left the first trials visibly slower (JIT).
  await loadTrial(bench, route, loadSeconds(ctx) * 1000)
  const results: LoadTrial[] = []
  for (let t = 1; t <= trials; t++) {
    results.push(await loadTrial(bench, route, loadSeconds(ctx) * 1000))
    ctx.progress(`trial ${t}/${trials}: ${describeTrial(results.at(-1)!)}`)
  }
  return results
}

/**
 * The rows figures 3 and 4 share: throughput against the raw overlay
 * (target: at least half of it), latency against the raw hop times the hop
 * count, and how many messages each gateway's fsyncs carried.
 */
export function loadRows(trials: LoadTrial[], raw: RawOverlay, route: Route): Row[] {
  const hops = route.nodes.length - 1
  const rate = summarize(trials.map((t) => t.rate))
  const rawRate = raw.viaProxy.rate
  const scale = (s: typeof rawRate) => summarize([s.median * hops, s.min * hops, s.max * hops])
  const rawLabel = hops === 1 ? 'raw hop' : `raw hop x${hops}`
  const half = rawRate.median / 2
  const rows = [
    compare(
      `accepted-and-delivered, ${CLIENTS} clients`,
      'msg/s',
      rate,
      { label: 'raw overlay', value: rawRate },
      { text: `>= ${formatNumber(half)} (half of raw)`, pass: rate.median >= half },
    ),
    compare('  latency p50, submit to service', 'ms', summarize(trials.map((t) => t.p50)), {
      label: rawLabel,
      value: scale(raw.viaProxy.p50),
    }),
    compare('  latency p99', 'ms', summarize(trials.map((t) => t.p99)), {
      label: rawLabel,
      value: scale(raw.viaProxy.p99),
    }),
  ]
  for (const node of route.nodes) {
    const perSync = trials.map((t) => t.messages / Math.max(1, t.syncs[node]!.syncs))
    rows.push(compare(`  messages per fsync at ${node}`, '', summarize(perSync)))
  }
  return rows
}

/** What every trial's commit counters said, for results.json. */
export function syncDetails(trials: LoadTrial[]) {
  return trials.map((t) => ({
    messages: t.messages,
    rate: t.rate,
    acceptRate: t.acceptRate,
    syncs: t.syncs,
  }))
}

export const LOAD_NOTES = [
  `${CLIENTS} HTTP clients with keep-alive submit 1 KiB payloads as fast as answers come back,`,
  'for a few seconds per trial (see results.json for the exact counts).',
  'Rate = messages / (last arrival at the service - first submit); latency from send to arrival',
  '(service clock in whole ms). Messages per fsync = messages / store fsyncs at that gateway,',
  "receipts' own writes included. A trial ends when every queue, receipts too, is empty.",
]

export const gatewayOneHop: Figure = {
  id: 'gateway-one-hop',
  title: '3. Gateway, one hop: full custody a -> b',
  async run(ctx) {
    const raw = await rawOverlay(ctx)
    const route: Route = { from: 'a', to: 'b', nodes: ['a', 'b'] }
    const bench = await BenchMesh.start(['a', 'b'], [['a', 'b']])
    try {
      await bench.waitForRoute('a', 'b')
      const trials = await loadTrials(ctx, bench, route)
      return {
        rows: loadRows(trials, raw, route),
        notes: LOAD_NOTES,
        details: { trials: syncDetails(trials) },
      }
    } finally {
      await bench.close()
    }
  },
}
