import type { Level } from 'level'
import { decodeEnvelope, type Envelope } from '../core/envelope.ts'
import { LifelineError } from '../core/errors.ts'
import { INBOUND_PREFIX, OUTBOUND_PREFIX, parseQueueKey, prefixRange, queueKey } from './keys.ts'
import type { IndexEntry, QueueIndex } from './queue-index.ts'
import type { QueuedMessage } from './types.ts'

export type StoreDb = Level<string, Uint8Array>

/** A queue record that failed to decode, with the reason it will be quarantined for. */
export interface CorruptRecord {
  key: string
  value: Uint8Array
  reason: string
}

/** A corrupt record found while reading the queue entry `id`. */
export type CorruptEntry = CorruptRecord & { id: string }

/** A message read from its queue, with the key it was read from. */
export type KeyedMessage = QueuedMessage & { key: string }

/** Records read per step of a scan. */
const SCAN_CHUNK = 256

/**
 * Decodes a queue record and checks it against its key: a record whose key and
 * envelope disagree is as unusable as one that does not decode.
 */
export function decodeQueued(key: string, value: Uint8Array): { env: Envelope; entry: IndexEntry } {
  const parsed = parseQueueKey(key)
  if (parsed === undefined) throw new LifelineError('CORRUPT_RECORD', 'malformed queue key')
  // LevelDB hands out Buffers; a plain view makes the decoder's slices real copies
  // and gives callers the Uint8Array type the envelope promises.
  const env = decodeEnvelope(new Uint8Array(value.buffer, value.byteOffset, value.byteLength))
  const { core } = env
  const matches =
    core.id === parsed.id &&
    (parsed.place === 'inbound' || (core.dst === parsed.dst && core.priority === parsed.priority))
  if (!matches) throw new LifelineError('CORRUPT_RECORD', 'envelope does not match its key')
  const entry: IndexEntry = {
    id: core.id,
    place: parsed.place,
    dst: core.dst,
    priority: core.priority,
    bytes: value.length,
    expiresAt: core.expiresAt,
    removed: false,
  }
  return { env, entry }
}

/**
 * Rebuilds `index` from the outbound and inbound queue keys. Every value is
 * decoded once here, so corruption is found at start rather than mid-transfer;
 * records that fail are returned for quarantine and left out of the index.
 */
export async function scanQueues(db: StoreDb, index: QueueIndex): Promise<CorruptRecord[]> {
  const corrupt: CorruptRecord[] = []
  for (const prefix of [OUTBOUND_PREFIX, INBOUND_PREFIX]) {
    const iterator = db.iterator(prefixRange(prefix))
    try {
      for (let rows = await iterator.nextv(SCAN_CHUNK); rows.length > 0; ) {
        for (const [key, value] of rows) {
          try {
            index.add(decodeQueued(key, value).entry)
          } catch (err) {
            corrupt.push({ key, value, reason: (err as Error).message })
          }
        }
        rows = await iterator.nextv(SCAN_CHUNK)
      }
    } finally {
      await iterator.close()
    }
  }
  return corrupt
}

/** Number of keys under `prefix` (a keys-only scan). */
export async function countKeys(db: StoreDb, prefix: string): Promise<number> {
  let count = 0
  const iterator = db.keys(prefixRange(prefix))
  try {
    for (let keys = await iterator.nextv(1024); keys.length > 0; keys = await iterator.nextv(1024))
      count += keys.length
  } finally {
    await iterator.close()
  }
  return count
}

/**
 * Reads and decodes the envelopes of `entries` in one `getMany`, setting the
 * corrupt ones apart. With `liveOnly`, entries that left the index while the
 * read was under way are dropped.
 */
export async function fetchQueued(
  db: StoreDb,
  entries: IndexEntry[],
  liveOnly: boolean,
): Promise<{ messages: KeyedMessage[]; corrupt: CorruptEntry[] }> {
  const keys = entries.map(queueKey)
  const values = keys.length === 0 ? [] : await db.getMany(keys)
  const messages: KeyedMessage[] = []
  const corrupt: CorruptEntry[] = []
  entries.forEach((entry, i) => {
    const key = keys[i]!
    const value: Uint8Array | undefined = values[i]
    if (value === undefined || (liveOnly && entry.removed)) return
    try {
      const { env } = decodeQueued(key, value)
      messages.push({ env, place: entry.place, bytes: entry.bytes, key })
    } catch (err) {
      corrupt.push({ id: entry.id, key, value, reason: (err as Error).message })
    }
  })
  return { messages, corrupt }
}
