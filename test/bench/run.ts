/**
 * `npm run bench`: measures the figures in test/bench/README.md, each next to
 * its baseline, prints a table on stdout and writes test/bench/results.json.
 * Progress goes to stderr, one line per trial.
 *
 *     npm run bench                      all figures, about 10 minutes
 *     npm run bench -- --quick           fewer, shorter trials, about 2 minutes
 *     npm run bench -- --only failover   one figure (repeat or comma-separate for more)
 *     npm run bench -- --profile DIR     CPU profiles of every gateway into DIR (slows them)
 */
import { rmSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { onInterrupt, runInterruptUndos } from './cleanup.ts'
import { diskCeiling } from './disk-ceiling.ts'
import { failover } from './failover.ts'
import type { BenchContext, Figure, FigureResult } from './figure.ts'
import { footprint } from './footprint.ts'
import { gatewayOneHop } from './gateway-one-hop.ts'
import { gatewayThreeHops } from './gateway-three-hops.ts'
import { codeVersion, describeMachine, LoadSampler, loadAverage } from './machine.ts'
import { rawOverlayCeiling } from './raw-overlay.ts'
import { recovery } from './recovery.ts'
import { formatTable, targetTally } from './report.ts'
import { routingAtScale } from './routing-scale.ts'
import { summarize } from './stats.ts'

const FIGURES: Figure[] = [
  diskCeiling,
  rawOverlayCeiling,
  gatewayOneHop,
  gatewayThreeHops,
  failover,
  recovery,
  routingAtScale,
  footprint,
]

const USAGE = `usage: npm run bench -- [--quick] [--only <figure>[,<figure>...]] [--out <file>]
                        [--profile <dir>]
figures: ${FIGURES.map((f) => f.id).join(', ')}`

function parseCli() {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string', multiple: true },
      out: { type: 'string', default: join(import.meta.dirname, 'results.json') },
      profile: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  })
  if (values.help) {
    process.stdout.write(`${USAGE}\n`)
    process.exit(0)
  }
  const only = (values.only ?? []).flatMap((v) => v.split(',')).filter((v) => v !== '')
  const unknown = only.filter((id) => !FIGURES.some((f) => f.id === id))
  if (unknown.length > 0) {
    process.stderr.write(`unknown figure ${unknown.join(', ')}\n${USAGE}\n`)
    process.exit(2)
  }
  const figures = only.length === 0 ? FIGURES : FIGURES.filter((f) => only.includes(f.id))
  if (values.profile !== undefined) {
    // Gateways and helpers inherit the environment: each writes a .cpuprofile when it exits.
    const flags = `--cpu-prof --cpu-prof-dir=${resolve(values.profile)}`
    process.env.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ''} ${flags}`.trim()
  }
  return { quick: values.quick, only, out: values.out, profile: values.profile, figures }
}

function progressLine(id: string, line: string): void {
  const clock = new Date().toISOString().slice(11, 19)
  process.stderr.write(`${clock} [${id}] ${line}\n`)
}

async function runFigure(figure: Figure, base: Omit<BenchContext, 'progress'>) {
  const started = performance.now()
  const ctx: BenchContext = { ...base, progress: (line) => progressLine(figure.id, line) }
  ctx.progress(figure.title)
  const head = { id: figure.id, title: figure.title }
  try {
    const outcome = await figure.run(ctx)
    return { ...head, ...outcome, seconds: (performance.now() - started) / 1000 }
  } catch (err) {
    const error = (err as Error).stack ?? String(err)
    ctx.progress(`failed: ${error}`)
    const seconds = (performance.now() - started) / 1000
    return { ...head, rows: [], notes: [], details: { error: (err as Error).message }, seconds }
  }
}

async function main(): Promise<void> {
  const options = parseCli()
  // Fresh per run: a run that dies half-way must not leave the last run's figures looking current.
  await rm(options.out, { force: true })
  const runDir = await mkdtemp(join(tmpdir(), 'lifeline-bench-'))
  const forgetRunDir = onInterrupt(() => rmSync(runDir, { recursive: true, force: true }))
  const shared = new Map<string, Promise<unknown>>()
  const base = {
    quick: options.quick,
    runDir,
    shared: <T>(key: string, make: () => Promise<T>) => {
      if (!shared.has(key)) shared.set(key, make())
      return shared.get(key) as Promise<T>
    },
  }
  const date = new Date().toISOString()
  const code = codeVersion(join(import.meta.dirname, '../..'))
  const loadAtStart = loadAverage()
  const load = new LoadSampler()
  const started = performance.now()
  const figures: FigureResult[] = []
  try {
    for (const figure of options.figures) figures.push(await runFigure(figure, base))
  } finally {
    load.stop()
    forgetRunDir()
    await rm(runDir, { recursive: true, force: true })
  }
  const results = {
    date,
    options: { quick: options.quick, only: options.only, profiled: options.profile !== undefined },
    machine: describeMachine(),
    code,
    load: { atStart: loadAtStart, atEnd: loadAverage(), oneMinute: summarize(load.samples) },
    durationSeconds: Math.round((performance.now() - started) / 100) / 10,
    targets: targetTally(figures),
    figures,
  }
  await writeFile(options.out, `${JSON.stringify(results, null, 2)}\n`)
  const { met, missed } = results.targets
  const l = results.load.oneMinute
  process.stdout.write(`${formatTable(figures)}\n\n`)
  process.stdout.write(
    `targets: ${met} met, ${missed} missed | load average (1 min) during the run: ` +
      `median ${l.median.toFixed(1)}, max ${l.max.toFixed(1)} on ${results.machine.nproc} CPUs | ` +
      `${results.durationSeconds} s | written ${options.out}\n`,
  )
  if (figures.some((f) => f.details !== undefined && 'error' in f.details)) process.exitCode = 1
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    process.stderr.write(`\n${signal}: stopping gateways and helpers\n`)
    runInterruptUndos()
    process.exit(130)
  })
}

await main()
