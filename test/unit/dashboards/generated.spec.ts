import assert from 'node:assert/strict'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { buildDashboards, serialise } from '../../../dashboards/src/index.ts'

const generatedDir = join(import.meta.dirname, '../../../dashboards/generated')

describe('generated dashboards', () => {
  test('the committed JSON of every dashboard equals a fresh build', async () => {
    for (const { file, dashboard } of buildDashboards()) {
      const committed = await readFile(join(generatedDir, file), 'utf8').catch(() => '(missing)')
      assert.equal(
        committed,
        serialise(dashboard),
        `dashboards/generated/${file} is stale: run npm run dashboards and commit the result`,
      )
    }
  })

  test('the generated folder holds no dashboard the build no longer makes', async () => {
    const built = buildDashboards().map(({ file }) => file)
    const present = (await readdir(generatedDir)).filter((name) => name.endsWith('.json'))
    assert.deepEqual(present.sort(), [...built].sort())
  })

  test('dashboard uids are unique so provisioning loads every one of them', () => {
    const uids = buildDashboards().map(({ dashboard }) => dashboard.uid)
    assert.equal(new Set(uids).size, uids.length)
    for (const uid of uids) assert.match(uid ?? '', /^[a-z0-9-]{1,40}$/)
  })
})
