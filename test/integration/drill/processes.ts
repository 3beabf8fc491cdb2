import { readdirSync, readFileSync } from 'node:fs'

/** Pids of live processes whose command line mentions `text` (Linux /proc). */
export function pidsMentioning(text: string): number[] {
  const pids: number[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8')
      if (cmdline.includes(text)) pids.push(Number(entry))
    } catch {
      // The process ended while we looked.
    }
  }
  return pids
}
