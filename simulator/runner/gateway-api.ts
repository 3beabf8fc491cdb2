/**
 * The few local-API reads the runner makes of a gateway. Each read is
 * bounded by a timeout and answers undefined when the gateway cannot say
 * (down, restarting, overloaded) rather than throwing.
 */

/** A gateway's custody backlog as `/v1/queues` reports it. */
export interface Backlog {
  /** Messages (and receipts) waiting to be forwarded. */
  outbound: number
  /** Messages arrived here waiting for the local service. */
  inbound: number
  /** Of the messages the gateway held when it (re)started, how many it still holds. */
  startupBacklog?: number
}

async function getJson(url: string, timeoutMs: number): Promise<unknown> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) })
    if (res.status !== 200) {
      await res.body?.cancel()
      return undefined
    }
    return await res.json()
  } catch {
    return undefined
  }
}

function count(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value
  if (typeof value === 'object' && value !== null && 'messages' in value) {
    return count((value as { messages: unknown }).messages)
  }
  return undefined
}

/**
 * Reads the backlog from `/v1/queues`: the outbound queues are summed from a
 * `queues` list of `{messages}` entries (the store's usage shape), or taken
 * from an `outbound` count when the view gives one.
 */
export function parseBacklog(body: unknown): Backlog | undefined {
  if (typeof body !== 'object' || body === null) return undefined
  const view = body as Record<string, unknown>
  let outbound = count(view.outbound)
  if (outbound === undefined && Array.isArray(view.queues)) {
    outbound = view.queues.reduce<number>((sum, q) => sum + (count(q) ?? 0), 0)
  }
  if (outbound === undefined) return undefined
  const backlog: Backlog = { outbound, inbound: count(view.inbound) ?? 0 }
  if (typeof view.startupBacklog === 'number') backlog.startupBacklog = view.startupBacklog
  return backlog
}

export async function readBacklog(apiUrl: string, timeoutMs = 2000): Promise<Backlog | undefined> {
  return parseBacklog(await getJson(`${apiUrl}/v1/queues`, timeoutMs))
}

/** One of the operator views (`peers`, `links`, `routes`, `queues`) as JSON, or undefined. */
export function readView(apiUrl: string, view: string, timeoutMs = 2000): Promise<unknown> {
  return getJson(`${apiUrl}/v1/${view}`, timeoutMs)
}

/** The sender's status of a message (`queued`, `in-transit`, `delivered`, `expired`, ...). */
export async function readMessageStatus(
  apiUrl: string,
  id: string,
  timeoutMs = 2000,
): Promise<string | undefined> {
  const body = await getJson(`${apiUrl}/v1/messages/${encodeURIComponent(id)}`, timeoutMs)
  if (typeof body !== 'object' || body === null) return undefined
  const status = (body as { status?: unknown }).status
  return typeof status === 'string' ? status : undefined
}
