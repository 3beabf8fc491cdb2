import { type CustodyStoreInit, LevelCustodyStore } from './custody-store.ts'
import type { CustodyStore } from './types.ts'

export type { CustodyStoreInit } from './custody-store.ts'
export { LevelCustodyStore } from './custody-store.ts'
export type { QuarantinedRecord } from './records.ts'
export * from './types.ts'

/**
 * Opens the custody store in `options.dir`: rebuilds the queue index, moves
 * any corrupt records to quarantine, and resolves when the store takes work.
 */
export async function openCustodyStore(options: CustodyStoreInit): Promise<CustodyStore> {
  const store = new LevelCustodyStore(options)
  await store.open()
  return store
}
