import { setTimeout as sleep } from 'node:timers/promises'

/**
 * The compose demo's traffic: every gateway sends a small message to every
 * other gateway's `inbox` service through its local API, about once a second
 * each, so the mesh dashboards show flows, latency and (when a gateway is
 * stopped) backlog. Refusals are printed and do not stop the loop.
 */
const gateways = (process.env.GATEWAYS ?? 'gateway-a gateway-b gateway-c').split(/\s+/)
const intervalMs = Number(process.env.INTERVAL_MS ?? 1000)

/** A script's diagnostics go to stderr, where `docker compose logs traffic` shows them. */
function complain(line: string): void {
  process.stderr.write(`${line}\n`)
}

async function send(from: string, to: string, seq: number): Promise<void> {
  const body = {
    to,
    service: 'inbox',
    text: `demo ${from} → ${to} #${seq}`,
    priority: seq % 10 === 0 ? 'critical' : 'normal',
    ttl: '10m',
  }
  const res = await fetch(`http://${from}:8080/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(5000),
  })
  if (res.status !== 202) complain(`${from} → ${to}: ${res.status} ${await res.text()}`)
  else await res.body?.cancel()
}

for (let seq = 0; ; seq++) {
  const sends = gateways.flatMap((from) =>
    gateways.filter((to) => to !== from).map((to) => send(from, to, seq)),
  )
  for (const outcome of await Promise.allSettled(sends)) {
    if (outcome.status === 'rejected') complain(`send failed: ${outcome.reason}`)
  }
  await sleep(intervalMs)
}
