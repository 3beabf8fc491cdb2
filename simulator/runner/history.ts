import type * as H from '../checker/types.ts'
import type { AppliedFault, PowerCycle } from './faults.ts'
import type { DeliveryRecord } from './recorder.ts'
import type { SendRecord } from './traffic.ts'

/** Everything the runner collected, in Unix ms. */
export interface Observations {
  /** Unix ms of drill time zero. */
  t0: number
  endedAt: number
  sends: SendRecord[]
  deliveries: DeliveryRecord[]
  statuses: Map<string, string>
  applied: AppliedFault[]
  powerCycles: PowerCycle[]
  samples: Array<{ at: number; node: string; outbound: number }>
}

/**
 * A submission whose answer never came (`unknown`) may still have been taken
 * into custody. When a delivery carries its payload, that delivery proves the
 * gateway accepted it, so the send is counted as accepted under the delivered
 * id; Jepsen resolves indeterminate operations the same way. Returns how many
 * sends were resolved like this.
 */
export function resolveIndeterminate(sends: SendRecord[], deliveries: DeliveryRecord[]): number {
  const byLabel = new Map<string, SendRecord>()
  for (const send of sends) {
    if (send.outcome === 'unknown') byLabel.set(`${send.flow}:${send.seq}`, send)
  }
  let resolved = 0
  for (const d of deliveries) {
    if (d.problem !== undefined || d.label === undefined) continue
    const send = byLabel.get(`${d.label.flow}:${d.label.seq}`)
    if (send === undefined || send.outcome !== 'unknown' || send.sentAt !== d.label.sentAt) continue
    send.outcome = 'accepted'
    send.id = d.messageId
    send.code = `RESOLVED_${send.code ?? 'UNKNOWN'}`
    resolved++
  }
  return resolved
}

/** Converts the runner's observations into the checker's history (times since time zero). */
export function buildHistory(o: Observations): H.History {
  const rel = (unixMs: number) => unixMs - o.t0
  const sendById = new Map<string, SendRecord>()
  for (const s of o.sends) if (s.id !== undefined) sendById.set(s.id, s)
  return {
    sends: o.sends.map((s) => toSend(s, rel)),
    deliveries: o.deliveries.map((d) => ({
      node: d.node,
      id: d.messageId,
      at: rel(d.receivedAt),
      bodyOk: bodyMatches(d, sendById.get(d.messageId)),
    })),
    statuses: o.statuses,
    powerLosses: o.powerCycles.flatMap((c) => {
      if (c.restartedAt === undefined) return []
      const record: H.PowerLossRecord = {
        node: c.node,
        killedAt: rel(c.killedAt),
        restartedAt: rel(c.restartedAt),
      }
      if (c.drainedAt !== undefined) record.drainedAt = rel(c.drainedAt)
      return [record]
    }),
    faultsApplied: o.applied.map((f) => ({
      at: rel(f.at),
      kind: f.action.kind,
      target: f.action.label,
    })),
    samples: o.samples.map((s) => ({ at: rel(s.at), node: s.node, backlog: s.outbound })),
    startedAt: o.t0,
    endedAt: rel(o.endedAt),
  }
}

function toSend(s: SendRecord, rel: (unixMs: number) => number): H.SendRecord {
  const record: H.SendRecord = {
    flow: s.flow,
    from: s.from,
    to: s.to,
    seq: s.seq,
    at: rel(s.sentAt),
    outcome: s.outcome === 'accepted' ? 'accepted' : s.outcome === 'refused' ? 'refused' : 'error',
  }
  if (s.id !== undefined) record.id = s.id
  if (s.code !== undefined) record.code = s.code
  // The gateway starts the clock when it accepts, at the latest when it answered.
  if (s.ttlMs !== undefined) record.expiresAt = rel(s.answeredAt ?? s.sentAt) + s.ttlMs
  return record
}

/** Intact, and the very payload that was submitted under this id. */
function bodyMatches(d: DeliveryRecord, send: SendRecord | undefined): boolean {
  if (d.problem !== undefined || d.label === undefined) return false
  if (send === undefined) return true
  return send.flow === d.label.flow && send.seq === d.label.seq && send.sentAt === d.label.sentAt
}
