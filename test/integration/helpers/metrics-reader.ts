import type { TestMesh } from './test-mesh.ts'

/**
 * The value of one sample in Prometheus text exposition: the line named
 * `name` whose labels include every pair in `labels`. Absent samples read as
 * 0, which is what a counter that never moved would say.
 */
export function sampleValue(text: string, name: string, labels: Record<string, string> = {}) {
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line)
    if (match === null || match[1] !== name) continue
    const found = new Map<string, string>()
    for (const pair of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      found.set(pair[1]!, pair[2]!)
    }
    if (Object.entries(labels).every(([key, value]) => found.get(key) === value)) {
      return Number(match[3])
    }
  }
  return 0
}

/** Reads one sample from a gateway's `/metrics`. */
export async function metric(
  mesh: TestMesh,
  node: string,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const res = await mesh.api(node, '/metrics')
  if (res.status !== 200) throw new Error(`${node} /metrics answered ${res.status}`)
  return sampleValue(String(res.body), name, labels)
}

/** `lifeline_messages_rejected_total` for one reason code. */
export function rejected(mesh: TestMesh, node: string, reason: string): Promise<number> {
  return metric(mesh, node, 'lifeline_messages_rejected_total', { reason })
}

/** A gateway's `/readyz` answer: HTTP status and its checks. */
export async function readiness(mesh: TestMesh, node: string) {
  const res = await mesh.api(node, '/readyz')
  return { status: res.status, checks: (res.body.checks ?? {}) as Record<string, unknown> }
}

/** The status record of a message at the gateway that sent it. */
export async function statusOf(mesh: TestMesh, node: string, id: string) {
  const res = await mesh.api(node, `/v1/messages/${id}`)
  return res.body
}
