import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { parse } from 'yaml'
import { alertRules, DASHBOARDS_DIR } from '../../../dashboards/src/alert-rules.ts'

interface AlertTestFile {
  rule_files: string[]
  tests: Array<{
    name: string
    alert_rule_test?: Array<{ alertname: string; exp_alerts?: unknown[] }>
  }>
}

async function alertTests(): Promise<AlertTestFile> {
  return parse(await readFile(join(DASHBOARDS_DIR, 'alerts.test.yml'), 'utf8')) as AlertTestFile
}

describe('alert rules', () => {
  test('every alert has a severity, a summary and a description naming the gateway', async () => {
    const rules = await alertRules()
    assert.ok(rules.length >= 7)
    for (const rule of rules) {
      assert.match(rule.alert, /^Lifeline[A-Z][A-Za-z]+$/)
      assert.ok(['critical', 'warning'].includes(rule.labels?.severity ?? ''), rule.alert)
      assert.ok((rule.annotations?.summary ?? '').includes('$labels.gateway'), rule.alert)
      assert.ok((rule.annotations?.description ?? '').length > 40, rule.alert)
    }
  })

  test('alert names are unique', async () => {
    const names = (await alertRules()).map((rule) => rule.alert)
    assert.equal(new Set(names).size, names.length)
  })

  test('the promtool tests load alerts.yml and show every alert both firing and silent', async () => {
    const file = await alertTests()
    assert.deepEqual(file.rule_files, ['alerts.yml'])
    const cases = file.tests.flatMap((t) => t.alert_rule_test ?? [])
    for (const { alert } of await alertRules()) {
      const mine = cases.filter((c) => c.alertname === alert)
      assert.ok(
        mine.some((c) => (c.exp_alerts ?? []).length > 0),
        `${alert} is never shown firing`,
      )
      assert.ok(
        mine.some((c) => (c.exp_alerts ?? []).length === 0),
        `${alert} is never shown staying silent`,
      )
    }
  })

  test('the promtool tests name no alert that alerts.yml lacks', async () => {
    const names = new Set((await alertRules()).map((rule) => rule.alert))
    for (const t of (await alertTests()).tests) {
      for (const c of t.alert_rule_test ?? []) assert.ok(names.has(c.alertname), c.alertname)
    }
  })
})
