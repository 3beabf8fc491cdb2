/**
 * Child process for the crash test: opens the custody store in argv[2] and
 * accepts 1 KiB messages from argv[3] concurrent writers as fast as it can,
 * printing each id on stdout only after its accept resolved. Runs until killed.
 */

import { openCustodyStore } from '../../../node/store/index.ts'
import { statusFromCore } from '../../../node/store/types.ts'
import { envelope } from '../../unit/store/fixtures.ts'

const [dir, writers = '16'] = process.argv.slice(2)
if (dir === undefined) throw new Error('usage: accept-writer.ts <dir> [writers]')

const store = await openCustodyStore({
  dir,
  limits: { maxMessages: 10_000_000, maxBytes: 16 * 1024 ** 3 },
})

async function writer(n: number): Promise<never> {
  for (;;) {
    const env = envelope({ dst: `ee/d${n % 4}`, payloadBytes: 1024 })
    const outcome = await store.accept(env, 'outbound', statusFromCore(env.core))
    // stdout is a pipe, which Node writes synchronously: once this returns the
    // parent can read the line even if this process dies the next instant.
    if (outcome === 'accepted') process.stdout.write(`${env.core.id}\n`)
  }
}

process.stderr.write('ready\n')
await Promise.all(Array.from({ length: Number(writers) }, (_, n) => writer(n)))
