import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { loadConfig, validateConfig } from '../../../node/config/load.ts'
import { isLifelineError } from '../../../node/core/errors.ts'

const KEY = Buffer.alloc(32, 7).toString('base64')

function problems(raw: unknown): string[] {
  try {
    validateConfig(raw)
  } catch (err) {
    assert.ok(isLifelineError(err, 'INVALID_CONFIG'))
    return (err.details?.problems as string[]) ?? []
  }
  return []
}

describe('gateway config', () => {
  test('defaults fill every section and units are converted', () => {
    const c = validateConfig({ name: 'ee/gov/1/records', authorityKey: KEY })
    assert.equal(c.link.downAfter, 600)
    assert.equal(c.store.maxBytes, 1024 ** 3)
    assert.equal(c.retry.jitter, 0.2)
    assert.equal(c.discovery, 'dht')
  })

  test('each bad field is named with what was expected', () => {
    const found = problems({
      name: 'bad name!',
      authorityKey: 'REPLACE-ME',
      link: { downAfter: '600 parsecs' },
      log: { level: 'verbose' },
      colour: 'blue',
    })
    for (const field of ['name', 'authorityKey', 'link.downAfter', 'log.level', '(top level)']) {
      assert.ok(
        found.some((p) => p.startsWith(`${field}:`)),
        `${field} not named in ${found}`,
      )
    }
  })

  test('settings that contradict one another are refused', () => {
    const found = problems({
      name: 'a',
      authorityKey: KEY,
      messages: { defaultTtl: '60d', maxTtl: '30d' },
      retry: { initial: '1h', max: '30s' },
      link: { probeInterval: '1s', downAfter: '500ms' },
    })
    assert.ok(
      found.some((p) => p.startsWith('messages.defaultTtl:')),
      String(found),
    )
    assert.ok(
      found.some((p) => p.startsWith('retry.initial:')),
      String(found),
    )
    assert.ok(
      found.some((p) => p.startsWith('link.downAfter:')),
      String(found),
    )
  })

  test('a file that cannot be read or parsed says why', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lifeline-config-'))
    try {
      await assert.rejects(loadConfig(join(dir, 'missing.yaml')), /cannot read config \(ENOENT\)/)
      await writeFile(join(dir, 'bad.yaml'), 'name: [unclosed\n')
      await assert.rejects(loadConfig(join(dir, 'bad.yaml')), /not valid YAML: /)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
