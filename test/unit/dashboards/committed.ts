import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard'
import { buildDashboards } from '../../../dashboards/src/index.ts'

const generatedDir = join(import.meta.dirname, '../../../dashboards/generated')

/** The committed dashboard JSON, as Grafana provisioning reads it. */
export async function committedDashboards(): Promise<Dashboard[]> {
  const files = buildDashboards().map(({ file }) => file)
  return Promise.all(
    files.map(
      async (file) => JSON.parse(await readFile(join(generatedDir, file), 'utf8')) as Dashboard,
    ),
  )
}
