import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { openCustodyStore } from '../../../node/store/index.ts'
import { tempDir } from '../../unit/store/fixtures.ts'

const WRITER = fileURLToPath(new URL('./accept-writer.ts', import.meta.url))

/**
 * Runs the writer until it has printed `killAfter` ids, SIGKILLs it, and
 * returns every id it printed in full (a torn last line is ignored).
 */
async function runAndKill(dir: string, killAfter: number): Promise<string[]> {
  const child = spawn(process.execPath, [WRITER, dir, '16'], { stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  let stderr = ''
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk
    if (child.exitCode === null && out.split('\n').length > killAfter) child.kill('SIGKILL')
  })
  const [code, signal] = await once(child, 'exit')
  assert.equal(signal, 'SIGKILL', `writer exited on its own (code ${code}): ${stderr}`)
  const lines = out.split('\n')
  lines.pop()
  return lines
}

describe('custody store crash recovery', () => {
  test('every id acknowledged before a kill -9 is in the store after reopen, across repeated crashes', async () => {
    const { dir, cleanup } = await tempDir('lifeline-crash-')
    const acknowledged = new Set<string>()
    try {
      for (const killAfter of [1, 400, 3000]) {
        for (const id of await runAndKill(dir, killAfter)) acknowledged.add(id)
        const store = await openCustodyStore({
          dir,
          limits: { maxMessages: 10_000_000, maxBytes: 16 * 1024 ** 3 },
        })
        try {
          const missing = [...acknowledged].filter((id) => !store.isQueued(id))
          assert.deepEqual(missing, [], `ids lost after the kill at ${killAfter}`)
          for (const id of acknowledged) assert.equal((await store.getStatus(id))?.status, 'queued')
          const usage = store.usage()
          assert.ok(usage.messages >= acknowledged.size)
          assert.equal(usage.quarantined, 0, 'a crash leaves no torn records behind')
        } finally {
          await store.close()
        }
      }
      assert.ok(acknowledged.size >= 3401)
    } finally {
      await cleanup()
    }
  })
})
