import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { readFileSync } from 'node:fs'
import { BenchMesh } from './bench-mesh.ts'
import { onInterrupt } from './cleanup.ts'
import { type BenchContext, compare, type Figure, trialCount } from './figure.ts'
import { describeTrial, loadSeconds, loadTrial } from './gateway-load.ts'
import { summarize } from './stats.ts'

const MIB = 2 ** 20
const IDLE_TARGET_MIB = 80
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** VmRSS of a process in MiB, from /proc. */
export function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kib = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1]
  if (kib === undefined) throw new Error(`no VmRSS for ${pid}`)
  return (Number(kib) * 1024) / MIB
}

/** RSS of a Node process that does nothing but keep a timer, after it settled. */
async function bareNodeMiB(): Promise<number> {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' })
  const forget = onInterrupt(() => child.kill('SIGKILL'))
  try {
    await sleep(1000)
    return rssMiB(child.pid!)
  } finally {
    const exited = once(child, 'exit')
    child.kill('SIGKILL')
    await exited
    forget()
  }
}

function gatewayMiB(bench: BenchMesh, node: string): number {
  const bytes = bench.mesh.gateway(node).rssBytes()
  if (bytes === undefined) throw new Error(`gateway ${node} is not running`)
  return bytes / MIB
}

/** Samples both gateways' RSS every `everyMs` while `work` runs; the peak of each. */
async function peakDuring<T>(bench: BenchMesh, work: Promise<T>, everyMs = 200) {
  const peak = { a: 0, b: 0 }
  const sample = () => {
    const rss = (node: string) => (bench.mesh.gateway(node).rssBytes() ?? 0) / MIB
    peak.a = Math.max(peak.a, rss('a'))
    peak.b = Math.max(peak.b, rss('b'))
  }
  const timer = setInterval(sample, everyMs)
  try {
    const result = await work
    sample()
    return { result, peak }
  } finally {
    clearInterval(timer)
  }
}

async function measure(ctx: BenchContext) {
  const trials = trialCount(ctx, 3, 2)
  const bare: number[] = []
  for (let t = 1; t <= trials; t++) {
    bare.push(await bareNodeMiB())
    ctx.progress(`bare node ${t}/${trials}: ${bare.at(-1)!.toFixed(1)} MiB`)
  }
  const bench = await BenchMesh.start(['a', 'b'], [['a', 'b']])
  try {
    await bench.waitForRoute('a', 'b')
    const idle: number[] = []
    for (let t = 1; t <= trials; t++) {
      await sleep(1000)
      idle.push(gatewayMiB(bench, 'a'), gatewayMiB(bench, 'b'))
      ctx.progress(
        `idle ${t}/${trials}: a ${idle.at(-2)!.toFixed(1)} MiB, b ${idle.at(-1)!.toFixed(1)} MiB`,
      )
    }
    const sender: number[] = []
    const receiver: number[] = []
    const route = { from: 'a', to: 'b', nodes: ['a', 'b'] }
    for (let t = 1; t <= trials; t++) {
      const { result, peak } = await peakDuring(
        bench,
        loadTrial(bench, route, loadSeconds(ctx) * 1000),
      )
      sender.push(peak.a)
      receiver.push(peak.b)
      ctx.progress(
        `loaded ${t}/${trials}: peak a ${peak.a.toFixed(1)} MiB, b ${peak.b.toFixed(1)} MiB ` +
          `(${describeTrial(result)})`,
      )
    }
    return { bare, idle, sender, receiver }
  } finally {
    await bench.close()
  }
}

export const footprint: Figure = {
  id: 'footprint',
  title: '8. Footprint: resident memory of a gateway process',
  async run(ctx) {
    const m = await measure(ctx)
    const bare = { label: 'bare node', value: summarize(m.bare) }
    const idle = summarize(m.idle)
    return {
      rows: [
        compare('idle gateway (links up, no traffic)', 'MiB', idle, bare, {
          text: `< ${IDLE_TARGET_MIB} MiB`,
          pass: idle.median < IDLE_TARGET_MIB,
        }),
        compare('sender under load of figure 3 (peak)', 'MiB', summarize(m.sender), bare),
        compare('receiver under load of figure 3 (peak)', 'MiB', summarize(m.receiver), bare),
      ],
      notes: [
        'VmRSS from /proc/<pid>/status. Idle: both gateways of a linked pair, sampled once a',
        'second after their links came up. Loaded: the peak of 200 ms samples during a',
        'figure-3 style trial.',
        'Baseline: `node -e "setInterval(() => {}, 1000)"` on the same binary, after 1 s.',
      ],
    }
  },
}
