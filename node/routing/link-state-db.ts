import { TypedEventEmitter } from 'main-event'
import { isLifelineError } from '../core/errors.ts'
import type { Logger } from '../core/log.ts'
import type { Graph } from './graph.ts'
import { decodeLinkState, type LinkStateRecord, verifyLinkState } from './link-state.ts'

/**
 * What `apply` made of a record. `newer` is the only outcome worth flooding
 * on; `stale` is a replay, an older sequence number or a record past its age;
 * `invalid` is malformed, forged, from a non-member or issued in the future.
 */
export type ApplyResult =
  | { result: 'newer' }
  | { result: 'stale'; reason: string }
  | { result: 'invalid'; reason: string }

export interface LinkStateDbInit {
  /** The roster: the peer id a member name maps to, or undefined for a non-member. */
  resolvePeerId: (name: string) => string | undefined
  /**
   * A record is dropped this long after its issue time unless a newer one
   * replaced it, and refused when already older. Origins re-issue well within it.
   * @default 60_000
   */
  maxAgeMs?: number
  /**
   * How far ahead of the local clock an issue time may be (clock skew).
   * Without this bound one record from a fast clock would outlive its origin.
   * @default 10_000
   */
  maxFutureMs?: number
  logger?: Logger
}

export interface LinkStateChange {
  origin: string
  /** `updated`: a newer record; `expired`: aged out; `removed`: no longer matches the roster. */
  cause: 'updated' | 'expired' | 'removed'
}

export interface LinkStateDbEvents {
  change: CustomEvent<LinkStateChange>
}

interface Entry {
  record: LinkStateRecord
  bytes: Uint8Array
  /** Names of the neighbours the record lists, for the both-ends check. */
  peers: Set<string>
}

/**
 * The newest verified link-state record of every origin, and the graph they
 * describe. Emits `change` for every record added, replaced or dropped.
 */
export class LinkStateDb extends TypedEventEmitter<LinkStateDbEvents> {
  readonly #entries = new Map<string, Entry>()
  readonly #resolvePeerId: (name: string) => string | undefined
  readonly #maxAgeMs: number
  readonly #maxFutureMs: number
  readonly #log: Logger | undefined
  #version = 0

  constructor(init: LinkStateDbInit) {
    super()
    this.#resolvePeerId = init.resolvePeerId
    this.#maxAgeMs = init.maxAgeMs ?? 60_000
    this.#maxFutureMs = init.maxFutureMs ?? 10_000
    this.#log = init.logger
  }

  /** Increases with every change, so a caller can tell whether its graph is current. */
  get version(): number {
    return this.#version
  }

  /**
   * Checks a record from the wire and keeps it when it is the newest of its
   * origin. Cheap checks run before the signature, so replays cost little.
   */
  async apply(bytes: Uint8Array, now = Date.now()): Promise<ApplyResult> {
    let decoded: ReturnType<typeof decodeLinkState>
    try {
      decoded = decodeLinkState(bytes)
    } catch (err) {
      if (!isLifelineError(err, 'DECODE_FAILED')) throw err
      return this.#refuse('invalid', err.message)
    }
    const { record } = decoded
    const expected = this.#resolvePeerId(record.origin)
    if (expected === undefined) return this.#refuse('invalid', `${record.origin} is not a member`)
    if (expected !== record.peerId) {
      return this.#refuse('invalid', `peer id does not match the roster for ${record.origin}`)
    }
    if (record.issuedAt > now + this.#maxFutureMs) {
      return this.#refuse('invalid', `issued ${record.issuedAt - now} ms in the future`)
    }
    const early = this.#staleness(record, now)
    if (early !== undefined) return this.#refuse('stale', early)
    if (!(await verifyLinkState(decoded))) {
      return this.#refuse('invalid', `bad signature on a record from ${record.origin}`)
    }
    // Another copy may have been applied while the signature was being checked.
    const late = this.#staleness(record, now)
    if (late !== undefined) return this.#refuse('stale', late)
    const peers = new Set(record.links.map((l) => l.peer))
    this.#entries.set(record.origin, { record, bytes, peers })
    this.#changed(record.origin, 'updated')
    return { result: 'newer' }
  }

  #staleness(record: LinkStateRecord, now: number): string | undefined {
    if (record.issuedAt < now - this.#maxAgeMs) return `issued ${now - record.issuedAt} ms ago`
    const held = this.#entries.get(record.origin)?.record.seq
    if (held !== undefined && record.seq <= held) return `seq ${record.seq} is not above ${held}`
    return undefined
  }

  #refuse(result: 'stale' | 'invalid', reason: string): ApplyResult {
    if (result === 'invalid') this.#log?.warn({ reason }, 'link-state record refused')
    else this.#log?.trace({ reason }, 'stale link-state record ignored')
    return { result, reason }
  }

  #changed(origin: string, cause: LinkStateChange['cause']): void {
    this.#version++
    if (cause !== 'updated') this.#log?.info({ origin, cause }, 'link-state record dropped')
    this.safeDispatchEvent('change', { detail: { origin, cause } })
  }

  /** Drops records not refreshed within the maximum age; returns their origins. */
  expire(now = Date.now()): string[] {
    const dropped: string[] = []
    for (const [origin, { record }] of this.#entries) {
      if (record.issuedAt < now - this.#maxAgeMs) dropped.push(origin)
    }
    for (const origin of dropped) {
      this.#entries.delete(origin)
      this.#changed(origin, 'expired')
    }
    return dropped
  }

  /** After a roster change: drops records whose origin left or changed its peer id. */
  revalidate(): string[] {
    const dropped: string[] = []
    for (const [origin, { record }] of this.#entries) {
      if (this.#resolvePeerId(origin) !== record.peerId) dropped.push(origin)
    }
    for (const origin of dropped) {
      this.#entries.delete(origin)
      this.#changed(origin, 'removed')
    }
    return dropped
  }

  get(origin: string): LinkStateRecord | undefined {
    return this.#entries.get(origin)?.record
  }

  /** The record as received, for flooding it on or syncing a new neighbour. */
  encoded(origin: string): Uint8Array | undefined {
    return this.#entries.get(origin)?.bytes
  }

  /** Every record held, by origin name. */
  records(): LinkStateRecord[] {
    return [...this.#entries.values()]
      .map((e) => e.record)
      .sort((a, b) => (a.origin < b.origin ? -1 : a.origin > b.origin ? 1 : 0))
  }

  /**
   * The overlay graph. A link counts only when both ends report it: a record
   * that still claims a link its neighbour has dropped (stale, or lying) adds
   * nothing. Each direction is priced by the end it leaves from.
   */
  graph(): Graph {
    const graph: Graph = new Map()
    for (const [origin, { record }] of this.#entries) {
      const out = new Map<string, number>()
      graph.set(origin, out)
      for (const link of record.links) {
        if (link.peer === origin) continue
        if (this.#entries.get(link.peer)?.peers.has(origin) === true) out.set(link.peer, link.cost)
      }
    }
    return graph
  }
}
