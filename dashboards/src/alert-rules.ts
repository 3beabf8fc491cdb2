import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { parse } from 'yaml'

/** The dashboards/ folder, where alerts.yml and alerts.test.yml live. */
export const DASHBOARDS_DIR = join(import.meta.dirname, '..')

/** One alerting rule of dashboards/alerts.yml. */
export interface AlertRule {
  alert: string
  expr: string
  for?: string
  labels?: Record<string, string>
  annotations?: Record<string, string>
}

/** Every alerting rule in dashboards/alerts.yml, across its groups. */
export async function alertRules(): Promise<AlertRule[]> {
  const text = await readFile(join(DASHBOARDS_DIR, 'alerts.yml'), 'utf8')
  const doc = parse(text) as { groups: Array<{ rules: AlertRule[] }> }
  return doc.groups.flatMap((group) => group.rules.filter((rule) => rule.alert !== undefined))
}
