/**
 * Measures accept throughput of the custody store with real fsync: 1 KiB
 * payloads, N concurrent writers sharing group commits versus one writer whose
 * every accept waits for its own fsync. Run by hand:
 *   node test/integration/store/bench-accepts.ts [messages] [writers] [windowMs]
 */
import { openCustodyStore } from '../../../node/store/index.ts'
import { envelope, tempDir } from '../../unit/store/fixtures.ts'

const [total = 20_000, writers = 64, windowMs = 0] = process.argv.slice(2).map(Number)
const LIMITS = { maxMessages: 10_000_000, maxBytes: 16 * 1024 ** 3 }

async function measure(label: string, concurrency: number, count: number): Promise<void> {
  const { dir, cleanup } = await tempDir('lifeline-bench-')
  const store = await openCustodyStore({ dir, limits: LIMITS, groupCommitWindowMs: windowMs })
  const envs = Array.from({ length: count }, () => envelope({ payloadBytes: 1024 }))
  let next = 0
  const started = performance.now()
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let env = envs[next++]; env !== undefined; env = envs[next++]) {
        await store.accept(env, 'outbound')
      }
    }),
  )
  const seconds = (performance.now() - started) / 1000
  const rate = Math.round(count / seconds)
  const factor = store.commitsPerSync().toFixed(1)
  console.log(
    `${label}: ${count} accepts in ${seconds.toFixed(2)} s = ${rate}/s, ${factor} commits/sync`,
  )
  await store.close()
  await cleanup()
}

await measure(`${writers} concurrent writers`, writers, total)
await measure('sequential, one fsync per accept', 1, Math.min(total, 5_000))
