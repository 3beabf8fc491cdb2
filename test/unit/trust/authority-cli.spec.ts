import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import { Command, CommanderError } from 'commander'
import { authorityCommands } from '../../../node/cli/authority.ts'
import { parseAuthorityKey } from '../../../node/trust/authority-key.ts'
import { loadRosterFile } from '../../../node/trust/roster-file.ts'
import { makeGateway } from './fixtures.ts'

const dir = await mkdtemp(join(tmpdir(), 'lifeline-authority-cli-'))
after(() => rm(dir, { recursive: true, force: true }))
const at = (name: string) => join(dir, name)

/** Runs `lifeline ...args` in-process; returns stdout, or the exit code and stderr on failure. */
async function lifeline(...args: string[]): Promise<{ out: string; err: string; code: number }> {
  let out = ''
  let err = ''
  const output = {
    writeOut: (s: string) => {
      out += s
    },
    writeErr: (s: string) => {
      err += s
    },
  }
  const program = new Command('lifeline').exitOverride().configureOutput(output)
  authorityCommands(program)
  try {
    await program.parseAsync(args, { from: 'user' })
    return { out, err, code: 0 }
  } catch (e) {
    if (!(e instanceof CommanderError)) throw e
    return { out, err, code: e.exitCode }
  }
}

async function ok(...args: string[]): Promise<string> {
  const r = await lifeline(...args)
  assert.equal(r.code, 0, r.err)
  return r.out
}

describe('authority CLI', () => {
  const [clinic, records] = [makeGateway('ee/clinic'), makeGateway('ee/records')]
  let authorityKey = ''

  test('authority init writes an owner-only secret and prints the public key', async () => {
    const out = await ok('authority', 'init', '--out', at('auth'))
    authorityKey = (await readFile(at('auth/authority.pub'), 'utf8')).trim()
    assert.ok(out.includes(authorityKey))
    assert.equal((await stat(at('auth/authority.key'))).mode & 0o777, 0o600)
    const again = await lifeline('authority', 'init', '--out', at('auth'))
    assert.equal(again.code, 1)
    assert.match(again.err, /refusing to replace/)
  })

  test('a draft built member by member signs into a roster gateways accept', async () => {
    const draft = at('roster.yaml')
    await ok('roster', 'new', '--federation', 'gov', '--out', draft)
    for (const gw of [await clinic, await records]) {
      const m = gw.member
      await ok(
        'roster-add-member',
        draft,
        '--name',
        m.name,
        '--peer-id',
        m.peerId,
        '--encryption-key',
        m.encryptionKey,
        '--address',
        '/ip4/127.0.0.1/tcp/4001',
        '--address',
        '/ip4/10.0.0.1/tcp/4001',
        '--replace',
      )
    }
    await ok('roster', 'group', draft, '--name', 'health', '--member', 'ee/clinic')
    await ok(
      'roster',
      'allow',
      draft,
      '--member',
      'ee/records',
      '--service',
      'records',
      '--caller',
      '@health',
    )
    const out = await ok(
      'roster',
      'sign',
      draft,
      '--key',
      at('auth/authority.key'),
      '--out',
      at('roster.json'),
      '--valid-for',
      '10d',
    )
    assert.match(out, /signed gov v1/)
    const roster = await loadRosterFile(at('roster.json'), parseAuthorityKey(authorityKey))
    assert.equal(roster.version, 1)
    assert.equal(roster.validUntil - roster.issuedAt, 10 * 86_400_000)
    assert.deepEqual(roster.member('ee/clinic')?.addresses, [
      '/ip4/127.0.0.1/tcp/4001',
      '/ip4/10.0.0.1/tcp/4001',
    ])
    assert.ok(roster.mayCall('ee/clinic', 'ee/records', 'records'))
    assert.ok(!roster.mayCall('ee/records', 'ee/records', 'records'))
  })

  test('each signature raises the version, and a version that goes back is refused', async () => {
    const sign = (...extra: string[]) =>
      lifeline(
        'roster',
        'sign',
        at('roster.yaml'),
        '--key',
        at('auth/authority.key'),
        '--out',
        at('roster.json'),
        ...extra,
      )
    assert.match((await sign()).out, /v2/)
    assert.match((await sign('--version', '7')).out, /v7/)
    const back = await sign('--version', '3')
    assert.equal(back.code, 1)
    assert.match(back.err, /not above 7/)
  })

  test('draft edits that would break the roster are refused with the path', async () => {
    const r = await lifeline(
      'roster',
      'allow',
      at('roster.yaml'),
      '--member',
      'ee/records',
      '--service',
      'x',
      '--caller',
      '@ghosts',
    )
    assert.equal(r.code, 1)
    assert.match(r.err, /allow\.0: @ghosts is neither/)
    const dup = await lifeline(
      'roster',
      'add-member',
      at('roster.yaml'),
      '--name',
      'ee/clinic',
      '--peer-id',
      (await clinic).member.peerId,
      '--encryption-key',
      (await clinic).member.encryptionKey,
    )
    assert.match(dup.err, /already a member/)
    const partial = await lifeline('roster', 'add-member', at('roster.yaml'), '--name', 'ee/x')
    assert.equal(partial.code, 1)
    assert.match(partial.err, /--peer-id/)
  })

  test('inspect summarises the roster and reports whether the signature holds', async () => {
    const verified = await ok(
      'roster',
      'inspect',
      at('roster.json'),
      '--authority-key',
      authorityKey,
    )
    assert.match(verified, /version\s+7/)
    assert.match(verified, /verified with the authority key/)
    assert.match(verified, /service records <- @health/)
    const unverified = await ok('roster-inspect', at('roster.json'))
    assert.match(unverified, /NOT VERIFIED/)
    const wrong = await lifeline(
      'roster',
      'inspect',
      at('roster.json'),
      '--authority-key',
      `${'A'.repeat(43)}=`,
    )
    assert.equal(wrong.code, 1)
    assert.match(wrong.err, /not signed by the authority key/)
    const missing = await lifeline('roster', 'inspect', at('nope.json'))
    assert.equal(missing.code, 1)
    assert.match(missing.err, /ENOENT/)
  })

  test('every command explains itself with --help', async () => {
    for (const cmd of [
      ['authority', 'init'],
      ['roster', 'new'],
      ['roster', 'add-member'],
      ['roster', 'allow'],
      ['roster', 'group'],
      ['roster', 'sign'],
      ['roster', 'inspect'],
    ]) {
      const r = await lifeline(...cmd, '--help')
      assert.match(r.out, new RegExp(`Usage: lifeline ${cmd.join(' ')}`))
      assert.ok(r.out.split('\n')[2]!.length > 10, `${cmd.join(' ')} has a description`)
    }
  })
})
