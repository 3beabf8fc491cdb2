import { randomBytes } from 'node:crypto'
import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { Level } from 'level'
import { type BenchContext, compare, type Figure, trialCount } from './figure.ts'
import { summarize } from './stats.ts'

/** Records per LevelDB batch in the grouped case: about what group commit gathers under load. */
const GROUP = 64
const RECORD_BYTES = 1024

/** Appends 1 KiB and fsyncs, one writer, for `ms`; returns fsyncs per second. */
function fsyncRate(dir: string, ms: number): number {
  const fd = openSync(join(dir, 'fsync-probe'), 'a')
  const block = randomBytes(RECORD_BYTES)
  let count = 0
  const started = performance.now()
  try {
    while (performance.now() - started < ms) {
      writeSync(fd, block)
      fsyncSync(fd)
      count++
    }
  } finally {
    closeSync(fd)
  }
  return count / ((performance.now() - started) / 1000)
}

/** Synced LevelDB batches of `perBatch` 1 KiB puts, one after another, for `ms`; batches/s. */
async function levelRate(dir: string, perBatch: number, ms: number): Promise<number> {
  const db = new Level<string, Uint8Array>(dir, { keyEncoding: 'utf8', valueEncoding: 'view' })
  await db.open()
  const value = new Uint8Array(randomBytes(RECORD_BYTES))
  let batches = 0
  let key = 0
  const started = performance.now()
  try {
    while (performance.now() - started < ms) {
      const ops = Array.from({ length: perBatch }, () => ({
        type: 'put' as const,
        key: String(key++).padStart(12, '0'),
        value,
      }))
      await db.batch(ops, { sync: true })
      batches++
    }
  } finally {
    await db.close()
  }
  return batches / ((performance.now() - started) / 1000)
}

async function measure(ctx: BenchContext) {
  const trials = trialCount(ctx, 5, 3)
  const ms = ctx.quick ? 500 : 1000
  const fsync: number[] = []
  const single: number[] = []
  const grouped: number[] = []
  const dir = await mkdtemp(join(ctx.runDir, 'disk-'))
  try {
    // Interleaved, so a burst of load from elsewhere hits all three alike.
    for (let t = 1; t <= trials; t++) {
      fsync.push(fsyncRate(dir, ms))
      single.push(await levelRate(join(dir, `single-${t}`), 1, ms))
      grouped.push((await levelRate(join(dir, `grouped-${t}`), GROUP, ms)) * GROUP)
      const [f, s, g] = [fsync.at(-1)!, single.at(-1)!, grouped.at(-1)!].map(Math.round)
      ctx.progress(`trial ${t}/${trials}: fsync ${f}/s, level ${s} batches/s, ${g} records/s`)
    }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
  return { fsync: summarize(fsync), single: summarize(single), grouped: summarize(grouped) }
}

export const diskCeiling: Figure = {
  id: 'disk-ceiling',
  title: '1. Disk ceiling: synced writes the data directory sustains',
  async run(ctx) {
    const m = await measure(ctx)
    const baseline = { label: 'write+fsync', value: m.fsync, unit: '/s' }
    return {
      rows: [
        compare('write(1 KiB)+fsync, one writer', '/s', m.fsync),
        compare('LevelDB synced batch of 1 record', 'batch/s', m.single, baseline),
        compare(`LevelDB synced batch of ${GROUP} records`, 'record/s', m.grouped, baseline),
      ],
      notes: [
        'One writer, each write waiting for the previous fsync: the ceiling of a store',
        `without group commit. Grouped row: ${GROUP} records of 1 KiB per synced batch,`,
        'counted in records, as group commit gathers them.',
      ],
    }
  },
}
