import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { alertRules } from './src/alert-rules.ts'
import { buildDashboards, serialise } from './src/index.ts'
import { panelQueries } from './src/queries.ts'

/**
 * Builds the dashboards into `dashboards/generated/`.
 *
 *   node dashboards/build.ts           write the JSON files
 *   node dashboards/build.ts --check   exit 1 when a committed file is stale
 *   node dashboards/build.ts --list    print every panel query and alert expression as JSON lines
 */
const outDir = join(import.meta.dirname, 'generated')
const mode = process.argv[2] ?? '--write'

const dashboards = buildDashboards()

if (mode === '--list') {
  for (const { dashboard } of dashboards) {
    for (const query of panelQueries(dashboard)) {
      const { dashboard: title, panel, refId, expr } = query
      console.log(JSON.stringify({ dashboard: title, panel, refId, expr }))
    }
  }
  for (const { alert, expr } of await alertRules()) console.log(JSON.stringify({ alert, expr }))
} else if (mode === '--check') {
  let stale = 0
  for (const { file, dashboard } of dashboards) {
    const committed = await readFile(join(outDir, file), 'utf8').catch(() => '')
    if (committed !== serialise(dashboard)) {
      console.error(`stale: dashboards/generated/${file} (run npm run dashboards)`)
      stale++
    }
  }
  process.exitCode = stale === 0 ? 0 : 1
} else if (mode === '--write') {
  for (const { file, dashboard } of dashboards) {
    await writeFile(join(outDir, file), serialise(dashboard))
    console.log(`wrote dashboards/generated/${file}`)
  }
} else {
  console.error(`unknown option ${mode}; use --write, --check or --list`)
  process.exitCode = 2
}
