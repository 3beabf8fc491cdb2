import { type Logger, type LoggerOptions, pino } from 'pino'

export type { Logger }

/**
 * The root logger of a process. Components take a child with
 * `logger.child({ component: 'custody' })` so every line names its source.
 * Logs go to stderr as JSON lines; stdout stays free for command output.
 */
export function createLogger(options: { level?: string; name?: string } = {}): Logger {
  const opts: LoggerOptions = {
    level: options.level ?? process.env.LIFELINE_LOG_LEVEL ?? 'info',
    base:
      options.name === undefined ? { pid: process.pid } : { pid: process.pid, gw: options.name },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  }
  return pino(opts, pino.destination({ fd: 2, sync: false }))
}

/** A logger that writes nothing, for tests and library callers that bring none. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' })
}
