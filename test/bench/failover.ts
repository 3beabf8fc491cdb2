import { loadConfig } from '../../node/config/load.ts'
import type { CutMode } from '../../simulator/scenario/types.ts'
import { BenchMesh, until } from './bench-mesh.ts'
import { type BenchContext, compare, type Figure, type Row, trialCount } from './figure.ts'
import { type Ledger, Submitters } from './http-load.ts'
import { constant, summarize } from './stats.ts'

/** Steady traffic a -> d while links are cut, messages per second. */
const RATE = 50
const TARGET_MS = 1000
/** A cut with no delivery after this long is recorded as a miss at this value. */
const GIVE_UP_MS = 15_000
/** The two first hops of the square: a reaches d via b or via c. */
const FIRST_HOPS = [
  { link: 'a-b', peer: 'b' },
  { link: 'a-c', peer: 'c' },
]
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** The first-hop link that carried the most bytes from a in the next `windowMs`. */
async function carrier(bench: BenchMesh, windowMs = 500) {
  const sent = () => FIRST_HOPS.map((h) => bench.mesh.proxy(h.link).stats().bytes['a-to-b'])
  const before = sent()
  await sleep(windowMs)
  const after = sent()
  const deltas = after.map((v, i) => v - before[i]!)
  return FIRST_HOPS[deltas[0]! >= deltas[1]! ? 0 : 1]!
}

/** Time of the first arrival at d of a message sent at or after `cutAt`; undefined on give-up. */
async function firstDeliveryAfter(bench: BenchMesh, ledger: Ledger, cutAt: number) {
  let first: number | undefined
  await until(
    () => {
      const arrivals = bench.arrivals()
      for (const [id, sentAt] of ledger) {
        const at = sentAt >= cutAt ? arrivals.get(id) : undefined
        if (at !== undefined && (first === undefined || at < first)) first = at
      }
      return first !== undefined
    },
    GIVE_UP_MS,
    5,
  )
  return first
}

/** Restores the link and waits until a uses both paths again, plus a second to settle. */
async function heal(bench: BenchMesh, hop: (typeof FIRST_HOPS)[number]) {
  bench.mesh.proxy(hop.link).restore()
  if (!(await until(() => bench.linkUp('a', hop.peer), 30_000, 50))) {
    throw new Error(`link ${hop.link} did not come back within 30 s`)
  }
  await bench.waitForRoute('a', 'd', 2)
  await sleep(1000)
}

async function cuts(ctx: BenchContext, bench: BenchMesh, ledger: Ledger, mode: CutMode) {
  const count = trialCount(ctx, 10, 3)
  const times: number[] = []
  for (let i = 1; i <= count; i++) {
    const hop = await carrier(bench)
    const cutAt = Date.now()
    bench.mesh.proxy(hop.link).cut({ mode, direction: 'both' })
    const first = await firstDeliveryAfter(bench, ledger, cutAt)
    times.push(first === undefined ? GIVE_UP_MS : first - cutAt)
    const shown = first === undefined ? `none within ${GIVE_UP_MS} ms` : `${first - cutAt} ms`
    ctx.progress(`${mode} cut ${i}/${count} of ${hop.link}: first delivery after ${shown}`)
    await heal(bench, hop)
  }
  return times
}

function failoverRow(mode: CutMode, times: number[], downAfterMs: number): Row {
  const value = summarize(times)
  return compare(
    `${mode} cut of the carrying link -> first delivery`,
    'ms',
    value,
    { label: 'link.downAfter', value: constant(downAfterMs) },
    { text: `max < ${TARGET_MS} ms`, pass: value.max < TARGET_MS },
  )
}

export const failover: Figure = {
  id: 'failover',
  title: '5. Failover: a square a-b-d / a-c-d, steady traffic a -> d, first hop cut',
  async run(ctx) {
    const nodes = ['a', 'b', 'c', 'd']
    const links: Array<[string, string]> = [
      ['a', 'b'],
      ['a', 'c'],
      ['b', 'd'],
      ['c', 'd'],
    ]
    const bench = await BenchMesh.start(nodes, links)
    const traffic = new Submitters(bench.apiUrl('a'), 'd', 16)
    let steady: ReturnType<Submitters['steady']> | undefined
    try {
      const config = await loadConfig(bench.mesh.mesh.nodes.get('a')!.configFile)
      await bench.waitForRoute('a', 'd', 2)
      steady = traffic.steady(RATE)
      await sleep(1000)
      const blackhole = await cuts(ctx, bench, steady.accepted, 'blackhole')
      const reset = await cuts(ctx, bench, steady.accepted, 'reset')
      await steady.stop()
      const all = await bench.waitArrived(steady.accepted.keys(), 60_000)
      const lost = [...steady.accepted.keys()].filter((id) => !bench.arrivals().has(id)).length
      return {
        rows: [
          failoverRow('blackhole', blackhole, config.link.downAfter),
          failoverRow('reset', reset, config.link.downAfter),
        ],
        notes: [
          `${RATE} msg/s from a to d. Each cut takes the first-hop link (a-b or a-c) that`,
          'carried the most bytes in the previous 0.5 s, both directions; failover = cut until',
          'the first arrival at d of a message submitted after the cut. Between cuts the link',
          'is restored and a given both paths again plus 1 s. Baseline: link.downAfter, the',
          'bound on detecting a silent link.',
          `Over the whole figure ${steady.accepted.size} messages were accepted, ${lost} never ` +
            `arrived${all ? '' : ' (within 60 s)'}, ${bench.duplicates} arrived twice.`,
        ],
        details: { blackholeMs: blackhole, resetMs: reset, lost, duplicates: bench.duplicates },
      }
    } finally {
      await steady?.stop()
      traffic.close()
      await bench.close()
    }
  },
}
