import assert from 'node:assert/strict'
import { access, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { parse } from 'yaml'

const ROOT = join(import.meta.dirname, '../../..')
const read = (path: string) => readFile(join(ROOT, path), 'utf8')

interface ComposeService {
  entrypoint?: string[]
  user?: string
  environment?: Record<string, string>
  volumes?: string[]
}

async function compose(): Promise<Record<string, ComposeService>> {
  const doc = parse(await read('docker-compose.yml'), { merge: true })
  return doc.services as Record<string, ComposeService>
}

/** Services that run a gateway: they mount a volume of their own at /data. */
function gatewayServices(services: Record<string, ComposeService>): string[] {
  return Object.entries(services)
    .filter(([name, s]) => (s.volumes ?? []).includes(`${name}:/data`))
    .map(([name]) => name)
    .sort()
}

function mountOf(service: ComposeService | undefined, target: string): string | undefined {
  const volume = (service?.volumes ?? []).find((v) => v.split(':')[1] === target)
  return volume?.split(':')[0]
}

describe('docker-compose.yml', () => {
  test('every gateway is set up by mesh-init, scraped, and sent traffic under the same name', async () => {
    const services = await compose()
    const gateways = gatewayServices(services)
    assert.equal(gateways.length, 3)
    const init = services['mesh-init']
    assert.deepEqual(init?.environment?.GATEWAYS?.split(' ').sort(), gateways)
    for (const gw of gateways) assert.equal(mountOf(init, `/mesh/${gw}`), gw)
    assert.deepEqual(services.traffic?.environment?.GATEWAYS?.split(' ').sort(), gateways)
    const targets = JSON.parse(await read('dashboards/compose/targets.json')) as Array<{
      targets: string[]
      labels: { gateway: string }
    }>
    assert.deepEqual(targets.map((t) => t.labels.gateway).sort(), gateways)
    for (const t of targets) assert.deepEqual(t.targets, [`${t.labels.gateway}:8080`])
  })

  test('every file or folder compose mounts from the repository exists', async () => {
    for (const [name, service] of Object.entries(await compose())) {
      for (const volume of service.volumes ?? []) {
        const source = volume.split(':')[0]!
        if (!source.startsWith('./')) continue
        await assert.doesNotReject(access(join(ROOT, source)), `${name} mounts ${source}`)
      }
    }
  })

  test('Prometheus finds its rules and the compose scrape list where its config expects', async () => {
    const prometheus = (await compose()).prometheus
    const config = parse(await read('dashboards/prometheus.yml')) as {
      rule_files: string[]
      scrape_configs: Array<{ job_name: string; file_sd_configs?: Array<{ files: string[] }> }>
    }
    const job = config.scrape_configs.find((j) => j.job_name === 'lifeline-compose')
    const listed = job?.file_sd_configs?.[0]?.files[0]
    assert.equal(
      mountOf(prometheus, `/etc/lifeline/${listed}`),
      './dashboards/compose/targets.json',
    )
    for (const rules of config.rule_files) {
      assert.equal(mountOf(prometheus, `/etc/lifeline/${rules}`), `./dashboards/${rules}`)
    }
    assert.equal(mountOf(prometheus, '/etc/lifeline/prometheus.yml'), './dashboards/prometheus.yml')
  })

  test('Grafana loads the generated dashboards and reaches Prometheus as provisioned', async () => {
    const grafana = (await compose()).grafana
    const provider = parse(await read('dashboards/provisioning/dashboards/lifeline.yml'))
    const path = provider.providers[0].options.path as string
    assert.equal(mountOf(grafana, path), './dashboards/generated')
    assert.equal(mountOf(grafana, '/etc/grafana/provisioning'), './dashboards/provisioning')
    const datasources = await read('dashboards/provisioning/datasources/prometheus.yml')
    const variable = /url: \$\{(\w+)\}/.exec(datasources)?.[1]
    assert.equal(grafana?.environment?.[variable ?? ''], 'http://prometheus:9090')
  })
})

describe('Dockerfile', () => {
  test('runs the CLI from package.json as a non-root user, with /data and a health check', async () => {
    const text = await read('Dockerfile')
    const pkg = JSON.parse(await read('package.json')) as { bin: { lifeline: string } }
    const bin = pkg.bin.lifeline.replace(/^\.\//, '')
    assert.match(text, /^FROM \$\{NODE_IMAGE\} AS runtime$/m)
    assert.match(text, /^ARG NODE_IMAGE=node:24-slim$/m)
    assert.match(text, /npm ci --omit=dev/)
    assert.match(text, /^USER node$/m)
    assert.match(text, /^VOLUME \/data$/m)
    assert.match(
      text,
      /^HEALTHCHECK [\s\S]*?CMD [\s\S]*?fetch\(process\.env\.LIFELINE_HEALTH_URL\)/m,
    )
    assert.match(text, /LIFELINE_HEALTH_URL=http:\/\/127\.0\.0\.1:8080\/healthz/)
    assert.ok(text.includes(`ENTRYPOINT ["node", "${bin}"]`), bin)
    assert.match(text, /^CMD \["start", "--config", "\/data\/lifeline\.yaml"\]$/m)
  })

  test('.dockerignore keeps dependencies, history and local runs out of the build context', async () => {
    const ignored = (await read('.dockerignore')).split('\n').map((line) => line.trim())
    for (const entry of ['node_modules', '.git', 'runs', 'test']) assert.ok(ignored.includes(entry))
  })
})
