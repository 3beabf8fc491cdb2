import type { Envelope, EnvelopeCore, Priority } from '../core/envelope.ts'

/** Where a message sits in this gateway's custody. */
export type Place =
  /** Waiting to be forwarded towards `core.dst` (messages, receipts and replies alike). */
  | 'outbound'
  /** Arrived at its destination; waiting to be handed to the local service. */
  | 'inbound'

/** Sender-side lifecycle of a message that originated at this gateway. */
export type MessageStatus = 'queued' | 'in-transit' | 'delivered' | 'expired' | 'rejected'

/** A signed receipt as kept by the sender (see node/trust for how it is verified). */
export interface StoredReceipt {
  /** `delivered`, or `rejected` with a reason code such as `FORBIDDEN`. */
  outcome: 'delivered' | 'rejected'
  reason?: string
  /** Unix milliseconds at the destination when the service accepted the message. */
  at: number
  /** Base64 of the receipt envelope as received, so the sender can prove delivery later. */
  envelope: string
}

/** The destination service's answer to a synchronous call. */
export interface StoredReply {
  status: number
  contentType: string
  /** Base64 body. */
  body: string
}

/** What the sender remembers about each message it originated. */
export interface StatusRecord {
  id: string
  dst: string
  service: string
  priority: Priority
  createdAt: number
  expiresAt: number
  status: MessageStatus
  updatedAt: number
  reason?: string
  receipt?: StoredReceipt
  reply?: StoredReply
}

/** A queued message with its place and size, as the store hands it out. */
export interface QueuedMessage {
  env: Envelope
  place: Place
  /** Encoded size in bytes (what counts against the byte quota). */
  bytes: number
}

export interface StoreLimits {
  /** Most messages held (outbound plus inbound). */
  maxMessages: number
  /** Most encoded bytes held (outbound plus inbound). */
  maxBytes: number
}

export interface StoreUsage {
  messages: number
  bytes: number
  /** Per destination and priority, outbound only. */
  queues: Array<{ dst: string; priority: Priority; messages: number; bytes: number }>
  inbound: { messages: number; bytes: number }
  quarantined: number
  dedupeRecords: number
}

export type AcceptOutcome = 'accepted' | 'duplicate'

export interface AcceptOptions {
  /**
   * A message coming back to a relay that held it before (it found a dead end
   * further on): only a copy still queued here counts as a duplicate, not the
   * dedupe record of the earlier visit. Dedupe at the destination still
   * guarantees a single delivery.
   */
  revisit?: boolean
}

/**
 * The custody store: every operation that creates an obligation (accepting a
 * message, recording a delivery together with its receipt) resolves only after
 * the change is on disk with fsync. Concurrent callers share one fsync (group
 * commit). Releasing custody after a downstream ack need not be synced: if it
 * is lost in a crash the message is sent again and the next hop dedupes it.
 */
export interface CustodyStore {
  open(): Promise<void>
  /** Waits for in-flight commits, then closes. Later calls fail with SHUTTING_DOWN. */
  close(): Promise<void>

  /**
   * Takes custody of `env` in `place`, atomically with its dedupe record (kept
   * until `core.expiresAt`) and, when `status` is given, the sender's status record.
   * Returns `duplicate` (and writes nothing) when the id was seen before. With a
   * status record the message originates here under a freshly minted id, so only
   * the in-memory records are consulted for duplicates.
   * Throws LifelineError STORE_FULL when a quota would be exceeded.
   */
  accept(
    env: Envelope,
    place: Place,
    status?: StatusRecord,
    options?: AcceptOptions,
  ): Promise<AcceptOutcome>

  /** Whether a dedupe record exists for this id. */
  seen(id: string): Promise<boolean>

  /** Outbound destinations with at least one queued message. */
  destinations(): string[]

  /**
   * Up to `limit` outbound messages for `dst`, most urgent priority first, then oldest first,
   * skipping ids in `exclude` (those already in flight).
   */
  peek(dst: string, limit: number, exclude?: ReadonlySet<string>): Promise<QueuedMessage[]>

  /** Inbound messages waiting for the local service, oldest first. */
  inbound(limit: number, exclude?: ReadonlySet<string>): Promise<QueuedMessage[]>

  /** Drops an outbound message after the next hop acknowledged custody (unsynced delete). */
  release(id: string): Promise<void>

  /**
   * Records that the local service accepted inbound message `id`: removes it from
   * the inbound queue and takes custody of `receipt` (outbound) in one synced commit.
   */
  delivered(id: string, receipt: Envelope | undefined): Promise<void>

  /** Removes an expired message from whichever queue holds it (synced). */
  expire(id: string): Promise<QueuedMessage | undefined>

  /** Removes every queued message whose `expiresAt` is at or before `now`; returns them. */
  sweepExpired(now: number): Promise<QueuedMessage[]>

  /** Deletes dedupe records whose expiry has passed; returns how many. */
  sweepDedupe(now: number): Promise<number>

  getStatus(id: string): Promise<StatusRecord | undefined>
  /** Updates a status record (synced); a no-op when the id is unknown. */
  updateStatus(
    id: string,
    patch: Partial<Omit<StatusRecord, 'id'>>,
  ): Promise<StatusRecord | undefined>

  /** Whether `id` sits in the outbound or inbound queue right now (in-memory index). */
  isQueued(id: string): boolean

  /** Ids of every queued message, outbound and inbound (from the in-memory index). */
  queuedIds(): string[]

  /**
   * Status records of messages this gateway originated that are still `queued` or
   * `in-transit` (no receipt yet), for the expiry sweep after a restart.
   */
  pendingStatuses(): Promise<StatusRecord[]>

  usage(): StoreUsage
  /** Mean number of commits that shared each fsync since open (group-commit effectiveness). */
  commitsPerSync(): number
}

/** Core fields a status record copies from its envelope. */
export function statusFromCore(core: EnvelopeCore, now = Date.now()): StatusRecord {
  return {
    id: core.id,
    dst: core.dst,
    service: core.service,
    priority: core.priority,
    createdAt: core.createdAt,
    expiresAt: core.expiresAt,
    status: 'queued',
    updatedAt: now,
  }
}
