import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { pathToFileURL } from 'node:url'
import { type Browser, chromium } from 'playwright-core'
import { buildReport } from '../../../simulator/report/report-json.ts'
import { writeReports } from '../../../simulator/report/write.ts'
import { loadScenario } from '../../../simulator/scenario/parse.ts'
import { sharedDir } from '../../../simulator/scenario/paths.ts'
import { syntheticHistory } from '../../unit/simulator/history-fixture.ts'

const CHROMIUM = '/usr/bin/chromium'
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
]
const present = existsSync(CHROMIUM)
const skip =
  !present && process.env.CI === undefined
    ? `${CHROMIUM} is not installed (apt-get install chromium); set CI to make this a failure`
    : false

describe('report.html in a browser', { skip }, () => {
  let browser: Browser
  let dir: string

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lifeline-report-browser-'))
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS })
  })
  after(async () => {
    await browser?.close()
    await rm(dir, { recursive: true, force: true })
  })

  test('renders every chart offline with no console or page errors', async () => {
    const scenario = await loadScenario(resolve(sharedDir(), 'scenarios/example-ring.yaml'))
    const report = buildReport(scenario, syntheticHistory(scenario, [2, 9]))
    const { html } = await writeReports(dir, report)
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } })
    const errors: string[] = []
    const requests: string[] = []
    page.on('console', (msg) => {
      if (msg.type() === 'error') errors.push(`console: ${msg.text()}`)
    })
    page.on('pageerror', (err) => errors.push(`page: ${err.message}`))
    page.on('request', (req) => {
      if (!req.url().startsWith('file:') && !req.url().startsWith('data:')) requests.push(req.url())
    })
    await page.goto(pathToFileURL(html).href)
    await page.waitForSelector('body[data-charts-ready="true"]', { timeout: 10_000 })
    const charts = await page.$$eval('.chart', (nodes) =>
      nodes.map((n) => ({ id: n.id, canvases: n.querySelectorAll('canvas').length })),
    )
    assert.deepEqual(
      charts.map((c) => [c.id, c.canvases > 0]),
      [
        ['chart-deliveries', true],
        ['chart-latency', true],
        ['chart-backlog', true],
      ],
    )
    const verdict = await page.textContent('h1 .badge')
    assert.equal(verdict, 'FAILED')
    const failures = await page.$$eval('ul li', (items) => items.map((li) => li.textContent))
    assert.match(failures[0] ?? '', /^2 messages lost/)
    const shot = join(dir, 'report.png')
    await page.screenshot({ path: shot, fullPage: true })
    assert.ok((await stat(shot)).size > 30_000, 'screenshot is suspiciously small')
    await page.close()
    assert.deepEqual(errors, [])
    assert.deepEqual(requests, [])
  })
})
