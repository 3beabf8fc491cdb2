import { setTimeout as sleep } from 'node:timers/promises'
import { readMessageStatus, readView } from './gateway-api.ts'
import type { DrillSession } from './session.ts'

/*
 * The drill's waits on the mesh: for its links before time zero, for its
 * backlog after the last fault, and for the senders' word on what never came.
 */

/**
 * Faults in a scenario are timed against a settled mesh, so time zero waits
 * until each gateway's `/v1/links` view shows every link up and its
 * `/v1/routes` view has a path to each destination its flows send to. A view
 * of another shape is not waited for.
 */
export async function awaitSettled(session: DrillSession, capMs: number, signal?: AbortSignal) {
  session.phase = 'settling'
  const until = Date.now() + capMs
  const wanted = new Map<string, Set<string>>()
  for (const flow of session.options.scenario.traffic) {
    wanted.set(flow.from, (wanted.get(flow.from) ?? new Set()).add(flow.to))
  }
  const settled = async (name: string, apiUrl: string) =>
    linksUp(await readView(apiUrl, 'links')) &&
    routesTo(await readView(apiUrl, 'routes'), wanted.get(name) ?? new Set())
  while (Date.now() < until) {
    const gateways = [...session.gateways.values()]
    const states = await Promise.all(gateways.map((g) => settled(g.name, g.apiUrl)))
    if (states.every(Boolean)) return
    await sleep(200, undefined, { signal })
  }
  session.log.warn({ capMs }, 'mesh not settled before time zero')
}

function linksUp(view: unknown): boolean {
  if (!Array.isArray(view)) return true
  return view.every((link) => typeof link !== 'object' || link?.up !== false)
}

function routesTo(view: unknown, destinations: Set<string>): boolean {
  const list = (view as { destinations?: unknown } | undefined)?.destinations
  if (!Array.isArray(list)) return true
  const reachable = new Set(
    list
      .filter((d) => Array.isArray(d?.paths) && d.paths.length > 0)
      .map((d) => d.destination as string),
  )
  return [...destinations].every((d) => reachable.has(d))
}

/**
 * Waits until every accepted message was recorded or is past its
 * time-to-live, every submission has its answer and no gateway is still
 * powered off; or until `capMs` passes.
 */
export async function drain(
  session: DrillSession,
  capMs: number,
  signal?: AbortSignal,
): Promise<void> {
  session.phase = 'draining'
  const until = Date.now() + capMs
  while (Date.now() < until) {
    if (session.traffic!.inFlight === 0 && outstanding(session) === 0) {
      const down = [...session.gateways.values()].some((g) => !g.running)
      if (!down) return
    }
    await sleep(200, undefined, { signal })
  }
  session.log.warn({ outstanding: outstanding(session) }, 'drain cap reached')
}

/** Accepted messages neither recorded nor past their time-to-live. */
function outstanding(session: DrillSession): number {
  const now = Date.now()
  const recorded = new Set(session.recorder.deliveries.map((d) => d.messageId))
  let count = 0
  for (const s of session.traffic!.sends) {
    if (s.outcome !== 'accepted' || recorded.has(s.id!)) continue
    const expiresAt = s.ttlMs === undefined ? Infinity : (s.answeredAt ?? s.sentAt) + s.ttlMs
    if (expiresAt > now) count++
  }
  return count
}

/** Asks each source gateway for the status of its accepted messages that never arrived. */
export async function senderStatuses(session: DrillSession): Promise<Map<string, string>> {
  const recorded = new Set(session.recorder.deliveries.map((d) => d.messageId))
  const missing = session.traffic!.sends.filter(
    (s) => s.outcome === 'accepted' && !recorded.has(s.id!),
  )
  const statuses = new Map<string, string>()
  const worker = async () => {
    for (let s = missing.shift(); s !== undefined; s = missing.shift()) {
      const status = await readMessageStatus(session.gateways.get(s.from)!.apiUrl, s.id!)
      if (status !== undefined) statuses.set(s.id!, status)
    }
  }
  await Promise.all(Array.from({ length: 8 }, worker))
  return statuses
}
