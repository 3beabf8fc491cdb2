import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { History } from '../checker/types.ts'
import { readView } from './gateway-api.ts'
import type { DrillSession } from './session.ts'

/**
 * Keeps what a failed drill is investigated with: the whole history and each
 * gateway's queue view at the end (where undelivered messages sit).
 */
export async function writeForensics(session: DrillSession, history: History): Promise<void> {
  const { runDir } = session.options
  const queues: Record<string, unknown> = {}
  for (const g of session.gateways.values()) {
    if (g.running) queues[g.name] = await readView(g.apiUrl, 'queues')
  }
  const proxies = Object.fromEntries(
    [...(session.mesh?.proxies ?? [])].map(([id, proxy]) => [id, proxy.stats()]),
  )
  const plain = { ...history, statuses: Object.fromEntries(history.statuses), proxies }
  await writeFile(join(runDir, 'history.json'), JSON.stringify(plain))
  await writeFile(join(runDir, 'final-queues.json'), `${JSON.stringify(queues, null, 2)}\n`)
}
