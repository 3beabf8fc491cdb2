import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { alertRules } from '../../../dashboards/src/alert-rules.ts'
import { buildDashboards } from '../../../dashboards/src/index.ts'
import { metricNames } from '../../../dashboards/src/promql.ts'
import { panelQueries } from '../../../dashboards/src/queries.ts'
import { catalogueSeries, drillSeries, gatewaySeries, SCRAPE_SERIES } from './exported-metrics.ts'

const DRILL_DASHBOARD = 'lifeline-drill'

/** Simulator series deliberately left off the drill dashboard, and why. */
const UNCHARTED_DRILL_SERIES = new Map([
  [
    'lifeline_drill_messages_refused_total',
    'refusals are labelled by error code and absent until one happens; the report lists them',
  ],
])

/** Metric names used by each dashboard (by uid) and by the alert rules. */
async function usage(): Promise<Map<string, Set<string>>> {
  const used = new Map<string, Set<string>>()
  for (const { dashboard } of buildDashboards()) {
    const names = panelQueries(dashboard).flatMap((query) => metricNames(query.expr))
    used.set(dashboard.uid ?? '', new Set(names))
  }
  const rules = await alertRules()
  used.set('alerts', new Set(rules.flatMap((rule) => metricNames(rule.expr))))
  return used
}

describe('metric names in dashboards and alerts', () => {
  test('gateway dashboards and alerts use only series a gateway or a scrape produces', async () => {
    const known = new Set([...(await gatewaySeries()), ...SCRAPE_SERIES])
    for (const [where, names] of await usage()) {
      if (where === DRILL_DASHBOARD) continue
      for (const name of names) assert.ok(known.has(name), `${where} uses unknown series ${name}`)
    }
  })

  test('the drill dashboard uses only gateway, simulator and scrape series', async () => {
    const known = new Set([...(await gatewaySeries()), ...(await drillSeries()), ...SCRAPE_SERIES])
    const names = (await usage()).get(DRILL_DASHBOARD)
    assert.ok(names !== undefined && names.size > 0)
    for (const name of names) assert.ok(known.has(name), `drill dashboard uses unknown ${name}`)
  })

  test('every lifeline_ series in the catalogue is charted or alerted on somewhere', async () => {
    const used = new Set([...(await usage()).values()].flatMap((names) => [...names]))
    const histogramParts = /_(sum|count)$/
    for (const name of await catalogueSeries()) {
      if (histogramParts.test(name) && used.has(name.replace(histogramParts, '_bucket'))) continue
      assert.ok(used.has(name), `${name} is in the catalogue but on no dashboard and in no alert`)
    }
  })

  test('the drill dashboard charts the simulator series a drill lead watches', async () => {
    const names = (await usage()).get(DRILL_DASHBOARD) ?? new Set()
    for (const name of await drillSeries()) {
      if (UNCHARTED_DRILL_SERIES.has(name)) continue
      assert.ok(names.has(name), `${name} is exported by the simulator but not charted`)
    }
  })
})
