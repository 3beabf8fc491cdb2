import type { BenchMesh } from './bench-mesh.ts'
import type { BenchContext } from './figure.ts'
import { describeRefusals, Submitters } from './http-load.ts'
import { latencyPercentiles } from './stats.ts'

/** Concurrent agency clients submitting, each on its own keep-alive connection. */
export const CLIENTS = 64
/** The longest a loaded trial may take to deliver everything before it counts as a failure. */
const DELIVERY_TIMEOUT_MS = 180_000

/** How long each loaded trial keeps submitting, in seconds. */
export function loadSeconds(ctx: BenchContext): number {
  return ctx.quick ? 2 : 4
}

/** The group-commit counters of one gateway over a trial. */
export interface SyncDelta {
  commits: number
  syncs: number
}

/** One loaded trial: CLIENTS connections submitting from `from` to `to` for a while. */
export interface LoadTrial {
  messages: number
  /** Accepted-and-delivered messages per second: count / (last delivery - first submit). */
  rate: number
  /** Accepted (202) per second while submitting. */
  acceptRate: number
  /** End-to-end latency, submit to arrival at the service, ms. */
  p50: number
  p99: number
  /** Store commits and fsyncs per gateway during the trial (receipts included). */
  syncs: Record<string, SyncDelta>
}

async function syncCounters(bench: BenchMesh, nodes: string[]) {
  const out: Record<string, SyncDelta> = {}
  for (const node of nodes) {
    const m = await bench.scrape(node)
    out[node] = {
      commits: m.get('lifeline_store_commits_total') ?? 0,
      syncs: m.get('lifeline_store_syncs_total') ?? 0,
    }
  }
  return out
}

/**
 * Submits for `durationMs` and waits until every accepted message arrived and
 * every queue (receipts included) is empty again, so the next trial starts
 * from the same state. Throws when a message accepted with 202 never arrives.
 */
export async function loadTrial(
  bench: BenchMesh,
  route: { from: string; to: string; nodes: string[] },
  durationMs: number,
): Promise<LoadTrial> {
  const before = await syncCounters(bench, route.nodes)
  bench.clearArrivals()
  const clients = new Submitters(bench.apiUrl(route.from), route.to, CLIENTS)
  let burst: Awaited<ReturnType<Submitters['burst']>>
  try {
    burst = await clients.burst({ durationMs }, CLIENTS)
  } finally {
    clients.close()
  }
  const { accepted } = burst
  if (accepted.size === 0) throw new Error(`nothing accepted: ${describeRefusals(burst.refused)}`)
  if (!(await bench.waitArrived(accepted.keys(), DELIVERY_TIMEOUT_MS))) {
    const missing = [...accepted.keys()].filter((id) => !bench.arrivals().has(id)).length
    throw new Error(`${missing} of ${accepted.size} accepted messages never arrived`)
  }
  const arrivals = bench.arrivals()
  const latencies: number[] = []
  let last = 0
  for (const [id, sentAt] of accepted) {
    const at = arrivals.get(id)!
    latencies.push(at - sentAt)
    last = Math.max(last, at)
  }
  await bench.waitIdle()
  const after = await syncCounters(bench, route.nodes)
  const syncs: Record<string, SyncDelta> = {}
  for (const node of route.nodes) {
    syncs[node] = {
      commits: after[node]!.commits - before[node]!.commits,
      syncs: after[node]!.syncs - before[node]!.syncs,
    }
  }
  return {
    messages: accepted.size,
    rate: accepted.size / ((last - burst.startedAt) / 1000),
    acceptRate: accepted.size / ((burst.finishedAt - burst.startedAt) / 1000),
    ...latencyPercentiles(latencies),
    syncs,
  }
}

/** A one-line account of a trial for the progress output. */
export function describeTrial(t: LoadTrial): string {
  const perSync = Object.entries(t.syncs)
    .map(([node, d]) => `${node} ${(t.messages / Math.max(1, d.syncs)).toFixed(1)}`)
    .join(' ')
  return (
    `${Math.round(t.rate)} msg/s delivered (${Math.round(t.acceptRate)}/s accepted), ` +
    `p50 ${t.p50.toFixed(0)} ms, p99 ${t.p99.toFixed(0)} ms, messages per fsync: ${perSync}`
  )
}

/**
 * Sends one message at a time and waits for it to arrive before the next:
 * the latency of an otherwise idle path. Returns each message's latency, ms.
 */
export async function unloadedLatencies(
  bench: BenchMesh,
  route: { from: string; to: string },
  count: number,
): Promise<number[]> {
  const client = new Submitters(bench.apiUrl(route.from), route.to, 1)
  const latencies: number[] = []
  try {
    for (let i = 0; i < count; i++) {
      const sentAt = Date.now()
      const { id } = await client.submit()
      if (id === undefined) throw new Error('a single message was refused')
      if (!(await bench.waitArrived([id], 30_000, 1))) throw new Error(`${id} never arrived`)
      latencies.push(bench.arrivals().get(id)! - sentAt)
      // Let the receipt travel back, so the next message finds the path idle.
      await new Promise((r) => setTimeout(r, 20))
    }
  } finally {
    client.close()
  }
  return latencies
}
