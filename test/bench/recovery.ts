import { readBacklog } from '../../simulator/runner/gateway-api.ts'
import { BenchMesh, until } from './bench-mesh.ts'
import { type BenchContext, compare, type Figure, trialCount } from './figure.ts'
import { CLIENTS } from './gateway-load.ts'
import { describeRefusals, type Ledger, Submitters } from './http-load.ts'
import { summarize } from './stats.ts'

const DRAIN_TIMEOUT_MS = 180_000

/** Queues `count` messages at a while its only link is blackholed; the accepted ledger. */
async function queueBehindCut(bench: BenchMesh, count: number): Promise<Ledger> {
  bench.clearArrivals()
  bench.mesh.proxy('a-b').cut({ mode: 'blackhole', direction: 'both' })
  // Wait for a to see the link down, so nothing sits in flight inside the blackhole.
  if (!(await until(async () => !(await bench.linkUp('a', 'b')), 10_000))) {
    throw new Error('a did not notice the blackholed link within 10 s')
  }
  const clients = new Submitters(bench.apiUrl('a'), 'b', CLIENTS)
  try {
    const burst = await clients.burst(count, CLIENTS)
    if (burst.accepted.size !== count) {
      throw new Error(
        `only ${burst.accepted.size} of ${count} queued: ${describeRefusals(burst.refused)}`,
      )
    }
    return burst.accepted
  } finally {
    clients.close()
  }
}

/** Waits until a's outbound queue is empty and every queued message arrived; the time then. */
async function drained(bench: BenchMesh, ledger: Ledger): Promise<number> {
  const ids = [...ledger.keys()]
  const ok = await until(
    async () => {
      const backlog = await readBacklog(bench.apiUrl('a'))
      if (backlog === undefined || backlog.outbound !== 0) return false
      const arrived = bench.arrivals()
      return ids.every((id) => arrived.has(id))
    },
    DRAIN_TIMEOUT_MS,
    50,
  )
  if (!ok) throw new Error(`backlog of ${ids.length} not drained within ${DRAIN_TIMEOUT_MS} ms`)
  return Date.now()
}

/** SIGKILL the sender holding the backlog, heal the link, restart: restart until drained. */
async function afterCrash(bench: BenchMesh, count: number) {
  const ledger = await queueBehindCut(bench, count)
  const a = bench.mesh.gateway('a')
  await a.powerLoss()
  bench.mesh.proxy('a-b').restore()
  const restartAt = Date.now()
  await a.start()
  const readyAt = Date.now()
  const doneAt = await drained(bench, ledger)
  await bench.waitIdle()
  return { totalMs: doneAt - restartAt, startupMs: readyAt - restartAt }
}

/** The same backlog on a warm sender: heal the link, time from link up until drained. */
async function warm(bench: BenchMesh, count: number) {
  const ledger = await queueBehindCut(bench, count)
  const restoredAt = Date.now()
  bench.mesh.proxy('a-b').restore()
  if (!(await until(() => bench.linkUp('a', 'b'), 30_000))) {
    throw new Error('link a-b did not come back within 30 s')
  }
  const upAt = Date.now()
  const doneAt = await drained(bench, ledger)
  await bench.waitIdle()
  return { totalMs: doneAt - upAt, reconnectMs: upAt - restoredAt }
}

async function measure(ctx: BenchContext) {
  const trials = trialCount(ctx, 3, 1)
  const count = ctx.quick ? 3000 : 10_000
  const bench = await BenchMesh.start(['a', 'b'], [['a', 'b']])
  const crash: Array<Awaited<ReturnType<typeof afterCrash>>> = []
  const base: Array<Awaited<ReturnType<typeof warm>>> = []
  try {
    await bench.waitForRoute('a', 'b')
    for (let t = 1; t <= trials; t++) {
      crash.push(await afterCrash(bench, count))
      const c = crash.at(-1)!
      ctx.progress(
        `trial ${t}/${trials}: ${count} after SIGKILL: drained ${c.totalMs} ms after restart (ready after ${c.startupMs} ms)`,
      )
      base.push(await warm(bench, count))
      const w = base.at(-1)!
      ctx.progress(
        `trial ${t}/${trials}: ${count} warm: drained ${w.totalMs} ms after link up (reconnect ${w.reconnectMs} ms)`,
      )
    }
  } finally {
    await bench.close()
  }
  return { count, crash, base }
}

export const recovery: Figure = {
  id: 'recovery',
  title: '6. Recovery: a backlog held through a power loss of the sender',
  async run(ctx) {
    const m = await measure(ctx)
    const warmDrain = summarize(m.base.map((b) => b.totalMs))
    return {
      rows: [
        compare(
          `restart after SIGKILL -> ${m.count} drained`,
          'ms',
          summarize(m.crash.map((c) => c.totalMs)),
          {
            label: 'warm, link up -> drained',
            value: warmDrain,
          },
        ),
        compare('  of which restart -> ready', 'ms', summarize(m.crash.map((c) => c.startupMs))),
        compare(
          'warm: link restored -> up again',
          'ms',
          summarize(m.base.map((b) => b.reconnectMs)),
        ),
      ],
      notes: [
        `${m.count} messages of 1 KiB queued at a behind a blackholed link a-b (${CLIENTS} clients).`,
        'Crash: SIGKILL a, heal the link, restart a on the same data directory; drained means',
        "a's outbound queue is empty and every message arrived at b's service.",
        'Baseline: the same backlog on a warm a that never crashed, timed from the moment a sees',
        'the healed link up (its redial backoff is reported separately, not counted).',
      ],
      details: { crash: m.crash, warm: m.base },
    }
  },
}
