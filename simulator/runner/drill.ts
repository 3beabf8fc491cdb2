import { setTimeout as sleep } from 'node:timers/promises'
import type { Logger } from '../../node/core/log.ts'
import { check } from '../checker/checker.ts'
import type { CheckResult, History } from '../checker/types.ts'
import type { Scenario } from '../scenario/types.ts'
import { writeForensics } from './forensics.ts'
import { buildHistory, resolveIndeterminate } from './history.ts'
import { DrillSession } from './session.ts'
import { awaitSettled, drain, senderStatuses } from './waits.ts'

export interface DrillOptions {
  scenario: Scenario
  /** Fresh folder for this run's configs, data, logs and reports. */
  runDir: string
  logger: Logger
  /** Where the live progress line goes. @default process.stderr */
  progressOut?: NodeJS.WritableStream & { isTTY?: boolean; columns?: number }
  /** Aborting tears the drill down at once (SIGINT, SIGTERM). */
  signal?: AbortSignal
  /** Longest wait after the scenario's end for accepted messages to arrive. @default 30 s */
  drainCapMs?: number
  /** Longest wait after start-up for links and routes to come up. @default 20 s */
  settleCapMs?: number
  /** Gateway script to run instead of the real CLI (tests use a fake). */
  script?: string
  /** Shared Prometheus file_sd path; false for none. */
  targetsFile?: string | false
}

export interface DrillOutcome {
  scenario: Scenario
  runDir: string
  history: History
  result: CheckResult
  /** Submissions without an answer that a delivery later proved accepted. */
  resolvedIndeterminate: number
  /** Gateways that exited without being told to. */
  crashes: string[]
  /** Largest resident memory seen per gateway, in bytes. */
  peakRssBytes: Map<string, number>
}

/**
 * Runs one drill from start to verdict: lays out the mesh, starts a gateway
 * process per node, drives traffic and applies the fault timeline, waits for
 * the mesh to drain, asks senders about messages never delivered, and checks
 * the history. Whatever happens, every process and socket it started is gone
 * when it returns or throws.
 */
export async function runDrill(options: DrillOptions): Promise<DrillOutcome> {
  const session = new DrillSession({
    scenario: options.scenario,
    runDir: options.runDir,
    logger: options.logger,
    progressOut: options.progressOut ?? process.stderr,
    ...(options.script === undefined ? {} : { script: options.script }),
    ...(options.targetsFile === undefined ? {} : { targetsFile: options.targetsFile }),
  })
  // Last resort when the process exits some other way: no gateway may outlive the drill.
  const killAll = () => session.killNow()
  process.once('exit', killAll)
  try {
    const started = Date.now()
    await session.setUp(options.signal)
    const ready = Date.now()
    session.log.info({ ms: ready - started }, 'gateways ready')
    await awaitSettled(session, options.settleCapMs ?? 20_000, options.signal)
    session.log.info({ ms: Date.now() - ready }, 'mesh settled')
    await runTimeline(session, options.signal)
    await drain(session, options.drainCapMs ?? 30_000, options.signal)
    return await conclude(session, options)
  } finally {
    await session.tearDown()
    process.off('exit', killAll)
  }
}

async function runTimeline(session: DrillSession, signal?: AbortSignal): Promise<void> {
  const { scenario } = session.options
  session.t0 = Date.now()
  session.phase = 'running'
  session.log.info({ t0: session.t0, nodes: scenario.nodes.length }, 'drill started')
  session.traffic!.start(session.t0)
  session.faults!.start(scenario.timeline, session.t0)
  session.sampler!.start()
  session.progress!.start()
  await sleep(Math.max(0, session.t0 + scenario.durationMs - Date.now()), undefined, { signal })
  session.traffic!.stop()
}

async function conclude(session: DrillSession, options: DrillOptions): Promise<DrillOutcome> {
  session.phase = 'checking'
  session.faults!.cancel()
  session.sampler!.stop()
  session.progress!.stop()
  const traffic = session.traffic!
  const deliveries = session.recorder.deliveries
  const resolved = resolveIndeterminate(traffic.sends, deliveries)
  const statuses = await senderStatuses(session)
  const history = buildHistory({
    t0: session.t0,
    endedAt: Date.now(),
    sends: traffic.sends,
    deliveries,
    statuses,
    applied: session.faults!.applied,
    powerCycles: session.faults!.powerCycles,
    samples: session.sampler!.samples,
  })
  await writeForensics(session, history)
  const result = check(history, options.scenario)
  for (const name of new Set(session.crashes)) {
    result.verdict.failures.push(`gateway ${name} exited without being told to (see its log)`)
    result.verdict.passed = false
  }
  session.metrics.lost.set(result.messages.lost)
  session.metrics.duplicated.set(result.messages.duplicated)
  session.metrics.unexpected.set(result.messages.unexpected)
  return {
    scenario: options.scenario,
    runDir: options.runDir,
    history,
    result,
    resolvedIndeterminate: resolved,
    crashes: [...new Set(session.crashes)],
    peakRssBytes: session.sampler!.peakRss,
  }
}
