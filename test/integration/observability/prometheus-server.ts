import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { open, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { parse, stringify } from 'yaml'
import { allocatePorts } from '../../../simulator/runner/ports.ts'

export const DASHBOARDS = join(import.meta.dirname, '../../../dashboards')

/** One series of a Prometheus query result. */
export interface Series {
  metric: Record<string, string>
  values?: Array<[number, string]>
  value?: [number, string]
}

/** A real `prometheus` process on a temp dir, and the bits of its HTTP API tests use. */
export interface PrometheusServer {
  url: string
  queryRange(expr: string, start: number, end: number, stepSeconds: number): Promise<Series[]>
  query(expr: string): Promise<Series[]>
  labelValues(label: string, match: string): Promise<string[]>
  rules(): Promise<Array<{ name: string; health: string; lastError?: string }>>
  stop(): Promise<void>
}

/**
 * Derives a test config from dashboards/prometheus.yml: the same drill job and
 * rule file, but scraping every `scrapeInterval` from `targetsDir`, and without
 * the compose job (its names never resolve here).
 */
export async function testConfig(targetsDir: string, scrapeInterval: string): Promise<string> {
  const config = parse(await readFile(join(DASHBOARDS, 'prometheus.yml'), 'utf8')) as {
    global: Record<string, string>
    rule_files: string[]
    scrape_configs: Array<{ job_name: string; file_sd_configs?: Array<Record<string, unknown>> }>
  }
  config.global = {
    ...config.global,
    scrape_interval: scrapeInterval,
    scrape_timeout: scrapeInterval,
    evaluation_interval: scrapeInterval,
  }
  config.rule_files = config.rule_files.map((file) => join(DASHBOARDS, file))
  const drill = config.scrape_configs.find((job) => job.job_name === 'lifeline-drill')
  if (drill === undefined) throw new Error('dashboards/prometheus.yml has no lifeline-drill job')
  drill.file_sd_configs = [{ files: [join(targetsDir, '*.json')], refresh_interval: '1s' }]
  config.scrape_configs = [drill]
  return stringify(config)
}

/** Starts Prometheus and resolves once it answers /-/ready. */
export async function startPrometheus(options: {
  dir: string
  targetsDir: string
  scrapeInterval: string
}): Promise<PrometheusServer> {
  const configFile = join(options.dir, 'prometheus.yml')
  await writeFile(configFile, await testConfig(options.targetsDir, options.scrapeInterval))
  const [port] = await allocatePorts(1)
  const log = await open(join(options.dir, 'prometheus.log'), 'a')
  const child = spawn(
    'prometheus',
    [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${join(options.dir, 'tsdb')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', log.fd, log.fd] },
  )
  const url = `http://127.0.0.1:${port}`
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM')
      await Promise.race([once(child, 'exit'), sleep(5000)])
      child.kill('SIGKILL')
    }
    await log.close()
  }
  try {
    await waitReady(url, child)
  } catch (err) {
    await stop()
    throw err
  }
  return { url, stop, ...api(url) }
}

async function waitReady(url: string, child: ChildProcess): Promise<void> {
  const until = Date.now() + 20_000
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`prometheus exited with ${child.exitCode}`)
    const ok = await fetch(`${url}/-/ready`).then(
      (res) => res.ok,
      () => false,
    )
    if (ok) return
    await sleep(200)
  }
  throw new Error('prometheus did not become ready within 20 s')
}

function api(url: string) {
  const get = async <T>(path: string, params: Record<string, string>): Promise<T> => {
    const res = await fetch(`${url}${path}?${new URLSearchParams(params)}`)
    const body = (await res.json()) as { status: string; data: T; error?: string }
    if (body.status !== 'success')
      throw new Error(`${path} ${JSON.stringify(params)}: ${body.error}`)
    return body.data
  }
  return {
    queryRange: async (expr: string, start: number, end: number, step: number) =>
      (
        await get<{ result: Series[] }>('/api/v1/query_range', {
          query: expr,
          start: String(start),
          end: String(end),
          step: String(step),
        })
      ).result,
    query: async (expr: string) =>
      (await get<{ result: Series[] }>('/api/v1/query', { query: expr })).result,
    labelValues: (label: string, match: string) =>
      get<string[]>(`/api/v1/label/${encodeURIComponent(label)}/values`, { 'match[]': match }),
    rules: async () => {
      const data = await get<{
        groups: Array<{ rules: Array<{ name: string; health: string; lastError?: string }> }>
      }>('/api/v1/rules', {})
      return data.groups.flatMap((group) => group.rules)
    },
  }
}
