import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { promisify } from 'node:util'

const run = promisify(execFile)
const DASHBOARDS = join(import.meta.dirname, '../../../dashboards')

/** Runs promtool; resolves with its exit code and combined output instead of throwing. */
async function promtool(...args: string[]): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run('promtool', args, { cwd: DASHBOARDS })
    return { code: 0, output: stdout + stderr }
  } catch (err) {
    const e = err as { code?: number | string; stdout?: string; stderr?: string }
    if (e.code === 'ENOENT') throw new Error('promtool not found: apt-get install prometheus')
    return { code: typeof e.code === 'number' ? e.code : 1, output: `${e.stdout}${e.stderr}` }
  }
}

describe('promtool', () => {
  test('accepts dashboards/prometheus.yml and the rule file it loads', async () => {
    const { code, output } = await promtool('check', 'config', 'prometheus.yml')
    assert.equal(code, 0, output)
    assert.match(output, /SUCCESS: 1 rule files found/)
    assert.match(output, /SUCCESS: \d+ rules found/)
  })

  test('accepts dashboards/alerts.yml', async () => {
    const { code, output } = await promtool('check', 'rules', 'alerts.yml')
    assert.equal(code, 0, output)
  })

  test('passes the alert unit tests in dashboards/alerts.test.yml', async () => {
    const { code, output } = await promtool('test', 'rules', 'alerts.test.yml')
    assert.equal(code, 0, output)
    assert.match(output, /SUCCESS/)
  })

  describe('with a rule changed behind the tests’ back', () => {
    let dir = ''
    before(async () => {
      dir = await mkdtemp(join(tmpdir(), 'lifeline-promtool-'))
      await copyFile(join(DASHBOARDS, 'alerts.test.yml'), join(dir, 'alerts.test.yml'))
      const rules = await readFile(join(DASHBOARDS, 'alerts.yml'), 'utf8')
      const loosened = rules.replace(
        /(expr: lifeline_link_up == 0\n\s+for: )5m/,
        (_match, head: string) => `${head}1m`,
      )
      assert.notEqual(loosened, rules, 'the LinkDown rule was not found to change')
      await writeFile(join(dir, 'alerts.yml'), loosened)
    })
    after(() => rm(dir, { recursive: true, force: true }))

    test('the alert unit tests fail, so they pin the rules down', async () => {
      const { code, output } = await promtool('test', 'rules', join(dir, 'alerts.test.yml'))
      assert.notEqual(code, 0, output)
      assert.match(output, /LifelineLinkDown/)
    })
  })
})
