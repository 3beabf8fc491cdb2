import { mkdir, rm } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { type Command, InvalidArgumentError, Option } from 'commander'
import { type Logger, pino } from 'pino'
import { buildReport } from '../report/report-json.ts'
import { renderVerdict } from '../report/terminal.ts'
import { writeReports } from '../report/write.ts'
import { runDrill } from '../runner/drill.ts'
import { loadScenario, ScenarioError } from '../scenario/parse.ts'

/** Where runs go unless `--run-dir` says otherwise. */
export const RUNS_DIR = resolve(import.meta.dirname, '../../runs')

/** Exit statuses of `lifeline drill`. */
export const DRILL_EXIT = { passed: 0, failed: 1, error: 2, interrupted: 130 } as const

export interface DrillCliOptions {
  runDir?: string
  maxGateways?: number
  keep?: boolean
  gatewayScript?: string
  drainCap?: number
  /** Prometheus file_sd path, or `none`. */
  targetsFile?: string
}

function positiveInt(value: string): number {
  const n = Number(value)
  if (!Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number')
  return n
}

/** `runs/<name>-<yyyymmdd-hhmmss>` in local time. */
export function defaultRunDir(name: string, now = new Date(), base = RUNS_DIR): string {
  const p = (n: number) => String(n).padStart(2, '0')
  const day = `${now.getFullYear()}${p(now.getMonth() + 1)}${p(now.getDate())}`
  const time = `${p(now.getHours())}${p(now.getMinutes())}${p(now.getSeconds())}`
  return join(base, `${name}-${day}-${time}`)
}

/** Adds `drill SCENARIO` to the `lifeline` command. */
export function drillCommand(program: Command): Command {
  return program
    .command('drill')
    .description('run a chaos drill: real gateways, injected faults, a verdict')
    .argument('<scenario>', 'scenario file (YAML)')
    .option('--run-dir <dir>', 'folder for this run (default runs/<name>-<yyyymmdd-hhmmss>)')
    .option('--max-gateways <n>', 'refuse scenarios with more nodes than this', positiveInt)
    .option('--keep', 'keep the gateways data directories even when the drill passes')
    .addOption(new Option('--gateway-script <file>').hideHelp())
    .addOption(new Option('--drain-cap <ms>').argParser(positiveInt).hideHelp())
    .addOption(new Option('--targets-file <file>').hideHelp())
    .action(async (file: string, opts: DrillCliOptions) => {
      process.exitCode = await drillMain(file, opts)
    })
}

/** Runs a drill the way the CLI does; resolves with the exit status. */
export async function drillMain(file: string, opts: DrillCliOptions): Promise<number> {
  let scenario: Awaited<ReturnType<typeof loadScenario>>
  try {
    scenario = await loadScenario(file, { maxGateways: opts.maxGateways })
  } catch (err) {
    if (!(err instanceof ScenarioError)) throw err
    console.error(err.message)
    return DRILL_EXIT.error
  }
  const runDir = resolve(opts.runDir ?? defaultRunDir(scenario.name))
  await mkdir(runDir, { recursive: true })
  const logger = drillLogger(join(runDir, 'drill.log'))
  const abort = new AbortController()
  const onSignal = (signal: NodeJS.Signals) => {
    if (abort.signal.aborted) {
      // A second interrupt: exit now; the runner's exit hook still SIGKILLs every gateway.
      process.exit(DRILL_EXIT.interrupted)
    }
    console.error(`\n${signal}: stopping the drill`)
    abort.abort(new Error(`interrupted by ${signal}`))
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  console.error(`drill ${scenario.name}: ${scenario.nodes.length} gateways, run folder ${runDir}`)
  try {
    const outcome = await runDrill({
      scenario,
      runDir,
      logger,
      signal: abort.signal,
      ...(opts.gatewayScript === undefined ? {} : { script: resolve(opts.gatewayScript) }),
      ...(opts.drainCap === undefined ? {} : { drainCapMs: opts.drainCap }),
      ...targetsOption(opts.targetsFile),
    })
    const report = buildReport(scenario, outcome.history, outcome.result)
    const written = await writeReports(runDir, report)
    console.log(renderVerdict(report))
    console.log(`report: ${written.json}\n        ${written.html}`)
    console.log(memoryLine(outcome.peakRssBytes))
    const cpu = process.cpuUsage()
    const rss = Math.round(process.memoryUsage.rss() / 2 ** 20)
    console.log(
      `simulator process: ${((cpu.user + cpu.system) / 1e6).toFixed(1)}s CPU, ${rss} MiB RSS`,
    )
    if (outcome.result.verdict.passed && opts.keep !== true) await dropDataDirs(runDir, scenario)
    return outcome.result.verdict.passed ? DRILL_EXIT.passed : DRILL_EXIT.failed
  } catch (err) {
    if (abort.signal.aborted) return DRILL_EXIT.interrupted
    logger.error({ err }, 'drill failed')
    console.error(`drill failed: ${(err as Error).message}`)
    return DRILL_EXIT.error
  } finally {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
    logger.flush()
  }
}

/** Peak resident memory of the gateways, to size drills to the machine. */
export function memoryLine(peakRss: Map<string, number>): string {
  const values = [...peakRss.values()]
  if (values.length === 0) return 'gateway memory: not measured'
  const mib = (bytes: number) => `${Math.round(bytes / 2 ** 20)} MiB`
  const mean = values.reduce((a, b) => a + b, 0) / values.length
  const total = values.reduce((a, b) => a + b, 0)
  return (
    `gateway memory (peak RSS): mean ${mib(mean)}, max ${mib(Math.max(...values))}, ` +
    `all ${values.length} together ${mib(total)}`
  )
}

function targetsOption(value: string | undefined): { targetsFile?: string | false } {
  if (value === undefined) return {}
  return { targetsFile: value === 'none' ? false : resolve(value) }
}

function drillLogger(file: string): Logger {
  const level = process.env.LIFELINE_LOG_LEVEL ?? 'info'
  return pino(
    { level, base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime },
    pino.destination({ dest: file, sync: true }),
  )
}

/** A passing drill's stores are of no further use; configs, logs and reports stay. */
async function dropDataDirs(runDir: string, scenario: { nodes: Array<{ id: string }> }) {
  await Promise.all(
    scenario.nodes.map((n) =>
      rm(join(runDir, 'nodes', n.id, 'data'), { recursive: true, force: true }),
    ),
  )
}
