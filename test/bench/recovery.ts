import { cp, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { readBacklog } from '../../simulator/runner/gateway-api.ts'
import { BenchMesh, until } from './bench-mesh.ts'
import { type BenchContext, compare, type Figure, trialCount } from './figure.ts'
import { CLIENTS } from './gateway-load.ts'
import { describeRefusals, type Ledger, Submitters } from './http-load.ts'
import { summarize } from './stats.ts'

const DRAIN_TIMEOUT_MS = 300_000
/** How long the warm sender runs with its backlog before the link heals. */
const WARM_MS = 2000
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/**
 * The on-disk state a power loss leaves behind: a's data directory right
 * after SIGKILL with the whole backlog queued, and b's before it saw any of
 * it. Every trial starts from a copy, so all trials drain the same backlog.
 */
class Snapshot {
  readonly #bench: BenchMesh
  readonly #dir: string

  constructor(bench: BenchMesh, dir: string) {
    this.#bench = bench
    this.#dir = dir
  }

  #dataDir(node: string): string {
    return join(this.#bench.mesh.mesh.nodes.get(node)!.dir, 'data')
  }

  async take(): Promise<void> {
    for (const node of ['a', 'b'])
      await cp(this.#dataDir(node), join(this.#dir, node), { recursive: true })
  }

  /** Puts both data directories back as they were; both gateways must be stopped. */
  async restore(): Promise<void> {
    for (const node of ['a', 'b']) {
      await rm(this.#dataDir(node), { recursive: true, force: true })
      await cp(join(this.#dir, node), this.#dataDir(node), { recursive: true })
    }
  }
}

/** Queues `count` messages at a behind a blackholed link, then cuts a's power; the ledger. */
async function queueAndCrash(bench: BenchMesh, count: number): Promise<Ledger> {
  bench.mesh.proxy('a-b').cut({ mode: 'blackhole', direction: 'both' })
  // Wait for a to see the link down, so nothing sits in flight inside the blackhole.
  if (!(await until(async () => !(await bench.linkUp('a', 'b')), 10_000))) {
    throw new Error('a did not notice the blackholed link within 10 s')
  }
  const clients = new Submitters(bench.apiUrl('a'), 'b', CLIENTS)
  try {
    const burst = await clients.burst({ count }, CLIENTS)
    if (burst.accepted.size !== count) {
      const refusals = describeRefusals(burst.refused)
      throw new Error(`only ${burst.accepted.size} of ${count} queued: ${refusals}`)
    }
    await bench.mesh.gateway('a').powerLoss()
    await bench.mesh.gateway('b').stop()
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

async function stopBoth(bench: BenchMesh): Promise<void> {
  await Promise.all(['a', 'b'].map((n) => bench.mesh.gateway(n).stop()))
}

/** The link healed, a restarted on its post-crash data: restart until drained. */
async function afterCrash(bench: BenchMesh, snapshot: Snapshot, ledger: Ledger) {
  await snapshot.restore()
  bench.clearArrivals()
  bench.mesh.proxy('a-b').restore()
  await bench.mesh.gateway('b').start()
  const restartAt = Date.now()
  await bench.mesh.gateway('a').start()
  const readyAt = Date.now()
  const doneAt = await drained(bench, ledger)
  await stopBoth(bench)
  return { totalMs: doneAt - restartAt, startupMs: readyAt - restartAt }
}

/** The same backlog on a sender that has been up a while: link up until drained. */
async function warm(bench: BenchMesh, snapshot: Snapshot, ledger: Ledger) {
  await snapshot.restore()
  bench.clearArrivals()
  const proxy = bench.mesh.proxy('a-b')
  proxy.cut({ mode: 'blackhole', direction: 'both' })
  await bench.mesh.gateway('b').start()
  await bench.mesh.gateway('a').start()
  await sleep(WARM_MS)
  const restoredAt = Date.now()
  proxy.restore()
  if (!(await until(() => bench.linkUp('a', 'b'), 30_000))) {
    throw new Error('link a-b did not come back within 30 s')
  }
  const upAt = Date.now()
  const doneAt = await drained(bench, ledger)
  await stopBoth(bench)
  return { totalMs: doneAt - upAt, reconnectMs: upAt - restoredAt }
}

async function measure(ctx: BenchContext) {
  const trials = trialCount(ctx, 2, 1)
  const count = ctx.quick ? 2000 : 10_000
  const bench = await BenchMesh.start(['a', 'b'], [['a', 'b']])
  const crash: Array<Awaited<ReturnType<typeof afterCrash>>> = []
  const base: Array<Awaited<ReturnType<typeof warm>>> = []
  try {
    await bench.waitForRoute('a', 'b')
    const queuedAt = Date.now()
    const ledger = await queueAndCrash(bench, count)
    ctx.progress(`${count} queued behind the cut in ${Date.now() - queuedAt} ms; a killed`)
    const snapshot = new Snapshot(bench, join(ctx.runDir, 'recovery-snapshot'))
    await snapshot.take()
    for (let t = 1; t <= trials; t++) {
      const c = await afterCrash(bench, snapshot, ledger)
      crash.push(c)
      ctx.progress(
        `trial ${t}/${trials} after SIGKILL: drained ${c.totalMs} ms after restart ` +
          `(ready after ${c.startupMs} ms)`,
      )
      const w = await warm(bench, snapshot, ledger)
      base.push(w)
      ctx.progress(
        `trial ${t}/${trials} warm: drained ${w.totalMs} ms after link up ` +
          `(reconnect ${w.reconnectMs} ms)`,
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
    const crashDrain = summarize(m.crash.map((c) => c.totalMs))
    return {
      rows: [
        compare(`restart after SIGKILL -> ${m.count} drained`, 'ms', crashDrain, {
          label: 'warm, link up -> drained',
          value: warmDrain,
        }),
        compare('  of which restart -> ready', 'ms', summarize(m.crash.map((c) => c.startupMs))),
        compare('warm: link healed -> up again', 'ms', summarize(m.base.map((b) => b.reconnectMs))),
      ],
      notes: [
        `${m.count} messages of 1 KiB queued at a behind a blackholed link a-b`,
        `(${CLIENTS} clients),`,
        'then a SIGKILLed. Both data directories are copied at that instant and every trial starts',
        'from the copy. Crash: heal the link, restart a; drained = outbound queue empty and every',
        "message at b's service. Baseline: a restarted from the same copy with the link still cut,",
        `left running ${WARM_MS / 1000} s, then the link healed and timed from the moment a sees`,
        'it up (redial backoff reported on its own row, not counted).',
      ],
      details: { crash: m.crash, warm: m.base },
    }
  },
}
