import { join } from 'node:path'
import { silentLogger } from '../../node/core/log.ts'
import { LinkProxy } from '../../simulator/proxy/link-proxy.ts'
import { ChildScript } from './child-script.ts'
import { type BenchContext, compare, type Figure, trialCount } from './figure.ts'
import type { DrivePlan, DriveRun } from './overlay-peer.ts'
import { latencyPercentiles, type Summary, summarize } from './stats.ts'

const PEER_SCRIPT = join(import.meta.dirname, 'overlay-peer.ts')

/** The custody forwarder's default window of unacknowledged transfers per next hop. */
export const CUSTODY_WINDOW = 128

/** One way of reaching the echo peer, measured over all trials. */
export interface OverlayFigures {
  /** Acknowledged frames per second with the window full. */
  rate: Summary
  /** Per-trial p50 and p99 of send-to-ack time with the window full, ms. */
  p50: Summary
  p99: Summary
  /** Per-trial p50 and p99 of send-to-ack time one frame at a time, ms. */
  idleP50: Summary
  idleP99: Summary
}

/** The raw overlay measured through a link proxy (as gateways are in drills) and directly. */
export interface RawOverlay {
  viaProxy: OverlayFigures
  direct: OverlayFigures
}

function summarizeRuns(runs: DriveRun[]): OverlayFigures {
  const loaded = runs.filter((r) => r.mode === 'loaded')
  const idle = runs.filter((r) => r.mode === 'idle').map((r) => latencyPercentiles(r.latenciesMs))
  const busy = loaded.map((r) => latencyPercentiles(r.latenciesMs))
  return {
    rate: summarize(loaded.map((r) => r.ratePerSecond)),
    p50: summarize(busy.map((p) => p.p50)),
    p99: summarize(busy.map((p) => p.p99)),
    idleP50: summarize(idle.map((p) => p.p50)),
    idleP99: summarize(idle.map((p) => p.p99)),
  }
}

function describeRun(run: DriveRun): string {
  const { p50, p99 } = latencyPercentiles(run.latenciesMs)
  const rate = run.mode === 'loaded' ? `${Math.round(run.ratePerSecond)} msg/s, ` : ''
  return `${run.target} ${run.mode}: ${rate}p50 ${p50.toFixed(2)} ms, p99 ${p99.toFixed(2)} ms`
}

/**
 * Runs an echo peer and a driver as two processes; the driver reaches the
 * peer once through a link proxy in this process and once directly, trial
 * by trial interleaved, so both see the same background load.
 */
export async function measureRawOverlay(ctx: BenchContext): Promise<RawOverlay> {
  const server = new ChildScript(PEER_SCRIPT, ['serve'])
  let proxy: LinkProxy | undefined
  let driver: ChildScript | undefined
  try {
    const peer = await server.next<{ peerId: string; port: number }>()
    if (peer === undefined) throw new Error('echo peer did not start')
    proxy = new LinkProxy({ name: 'raw', target: { port: peer.port }, logger: silentLogger() })
    const proxyPort = await proxy.listen()
    const plan: DrivePlan = {
      targets: [
        { label: 'proxy', addr: `/ip4/127.0.0.1/tcp/${proxyPort}/p2p/${peer.peerId}` },
        { label: 'direct', addr: `/ip4/127.0.0.1/tcp/${peer.port}/p2p/${peer.peerId}` },
      ],
      trials: trialCount(ctx, 5, 3),
      count: ctx.quick ? 2000 : 4000,
      window: CUSTODY_WINDOW,
      idleCount: ctx.quick ? 200 : 400,
      payloadBytes: 1024,
    }
    driver = new ChildScript(PEER_SCRIPT, ['drive', JSON.stringify(plan)])
    const runs: DriveRun[] = []
    for (let run = await driver.next<DriveRun>(); run; run = await driver.next<DriveRun>()) {
      runs.push(run)
      ctx.progress(`trial ${run.trial}/${plan.trials} ${describeRun(run)}`)
    }
    if (runs.length !== plan.trials * 4) throw new Error(`driver stopped after ${runs.length} runs`)
    return {
      viaProxy: summarizeRuns(runs.filter((r) => r.target === 'proxy')),
      direct: summarizeRuns(runs.filter((r) => r.target === 'direct')),
    }
  } finally {
    await driver?.stop()
    await server.stop()
    await proxy?.close()
  }
}

/** The raw overlay measurement of this run, made once and shared with the gateway figures. */
export function rawOverlay(ctx: BenchContext): Promise<RawOverlay> {
  return ctx.shared('raw-overlay', () => measureRawOverlay(ctx))
}

export const rawOverlayCeiling: Figure = {
  id: 'raw-overlay',
  title: '2. Raw overlay ceiling: one libp2p stream, ack per message, no store',
  async run(ctx) {
    const { viaProxy: p, direct: d } = await rawOverlay(ctx)
    const base = (value: Summary) => ({ label: 'direct (no proxy)', value })
    return {
      rows: [
        compare(`via link proxy, window ${CUSTODY_WINDOW}`, 'msg/s', p.rate, base(d.rate)),
        compare('  latency p50 (send to ack)', 'ms', p.p50, base(d.p50)),
        compare('  latency p99', 'ms', p.p99, base(d.p99)),
        compare('one at a time, latency p50', 'ms', p.idleP50, base(d.idleP50)),
        compare('  latency p99', 'ms', p.idleP99, base(d.idleP99)),
      ],
      notes: [
        'Two processes, TCP + Noise + Yamux, the custody framing (type byte, JSON ack), 1 KiB',
        'frames. The gateways in figures 3-6 reach each other through the same kind of link',
        'proxy, so the proxied row is the ceiling they are compared with; the direct row shows',
        'what the proxy costs.',
      ],
    }
  },
}
