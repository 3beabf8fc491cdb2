import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard'
import { buildDashboards } from '../../../dashboards/src/index.ts'
import { rangeSelectors } from '../../../dashboards/src/promql.ts'
import { allPanels, panelQueries, variableQueries } from '../../../dashboards/src/queries.ts'
import { committedDashboards } from './committed.ts'

const DATASOURCE = { type: 'prometheus', uid: `\${datasource}` }

/** Checked on both the fresh build and the committed files Grafana actually loads. */
const sources: Array<[string, () => Promise<Dashboard[]>]> = [
  ['built', async () => buildDashboards().map(({ dashboard }) => dashboard)],
  ['committed', committedDashboards],
]

for (const [source, load] of sources) {
  describe(`${source} dashboards`, () => {
    test('every panel has a title, a description and a unit', async () => {
      for (const dashboard of await load()) {
        for (const panel of allPanels(dashboard)) {
          const where = `${dashboard.title} / ${panel.title}`
          assert.ok((panel.title ?? '').trim().length > 0, `${where}: no title`)
          assert.ok((panel.description ?? '').trim().length > 10, `${where}: no description`)
          const unit = panel.fieldConfig?.defaults?.unit
          assert.ok(typeof unit === 'string' && unit.length > 0, `${where}: no unit`)
        }
      }
    })

    test('every panel has at least one query and every query has an expression', async () => {
      for (const dashboard of await load()) {
        for (const panel of allPanels(dashboard)) {
          assert.ok((panel.targets ?? []).length > 0, `${dashboard.title} / ${panel.title}`)
        }
        for (const query of panelQueries(dashboard)) {
          assert.ok(query.expr.trim().length > 0, `${query.dashboard} / ${query.panel}`)
        }
      }
    })

    test('every panel and query takes its data source from the datasource variable', async () => {
      for (const dashboard of await load()) {
        const names = (dashboard.templating?.list ?? []).map((v) => [v.name, v.type])
        assert.deepEqual(names[0], ['datasource', 'datasource'], `${dashboard.title}`)
        for (const query of panelQueries(dashboard)) {
          const where = `${query.dashboard} / ${query.panel} / ${query.refId}`
          assert.deepEqual(query.panelDatasource, DATASOURCE, where)
          assert.deepEqual(query.datasource, DATASOURCE, where)
        }
        for (const variable of variableQueries(dashboard)) {
          assert.deepEqual(variable.datasource, DATASOURCE, `${dashboard.title} $${variable.name}`)
        }
      }
    })

    test('every range selector in a panel query is $__rate_interval', async () => {
      for (const dashboard of await load()) {
        for (const query of panelQueries(dashboard)) {
          for (const range of rangeSelectors(query.expr)) {
            assert.equal(range, '$__rate_interval', `${query.panel}: ${query.expr}`)
          }
          if (/\b(rate|irate|increase|deriv|delta)\s*\(/.test(query.expr)) {
            assert.ok(rangeSelectors(query.expr).length > 0, `${query.panel}: ${query.expr}`)
          }
        }
      }
    })

    test('refIds are unique within each panel', async () => {
      for (const dashboard of await load()) {
        for (const panel of allPanels(dashboard)) {
          const refIds = (panel.targets ?? []).map((target) => target.refId)
          assert.equal(new Set(refIds).size, refIds.length, `${panel.title}`)
        }
      }
    })

    test('panels fit the 24-column grid without overlapping, with unique ids', async () => {
      for (const dashboard of await load()) {
        const panels = dashboard.panels ?? []
        const ids = panels.map((panel) => panel.id)
        assert.equal(new Set(ids).size, ids.length, `${dashboard.title}: duplicate panel ids`)
        const cells = new Set<string>()
        for (const panel of panels) {
          const { x = 0, y = 0, w = 0, h = 0 } = panel.gridPos ?? {}
          assert.ok(w > 0 && h > 0 && x >= 0 && x + w <= 24, `${panel.title}: ${x}+${w}`)
          for (let row = y; row < y + h; row++) {
            for (let col = x; col < x + w; col++) {
              const cell = `${row}:${col}`
              assert.ok(!cells.has(cell), `${dashboard.title} / ${panel.title} overlaps at ${cell}`)
              cells.add(cell)
            }
          }
        }
      }
    })
  })
}
