import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ulid } from 'ulid'
import {
  type Envelope,
  type EnvelopeCore,
  type EnvelopeKind,
  encodeCore,
  type Priority,
} from '../../../node/core/envelope.ts'

/**
 * A message id for time `at`. Uses Math.random: the library's default crypto
 * source costs tens of microseconds per id, which dominates large test runs.
 */
export function idAt(at: number): string {
  return ulid(at, Math.random)
}

export interface EnvelopeSpec {
  id?: string
  /** Creation time; also the time encoded in a generated id. */
  createdAt?: number
  dst?: string
  priority?: Priority
  expiresAt?: number
  payloadBytes?: number
  kind?: EnvelopeKind
  ref?: string
}

/** A structurally valid envelope (unsigned: the store never checks signatures). */
export function envelope(spec: EnvelopeSpec = {}): Envelope {
  const createdAt = spec.createdAt ?? Date.now()
  const core: EnvelopeCore = {
    v: 1,
    id: spec.id ?? idAt(createdAt),
    kind: spec.kind ?? 'message',
    src: 'ee/src',
    dst: spec.dst ?? 'ee/dst',
    service: spec.kind === 'receipt' ? '' : 'records',
    priority: spec.priority ?? 'normal',
    createdAt,
    expiresAt: spec.expiresAt ?? createdAt + 3_600_000,
    sealed: false,
  }
  if (spec.ref !== undefined) core.ref = spec.ref
  const payload = new Uint8Array(spec.payloadBytes ?? 16).fill(0x5a)
  return {
    core,
    coreBytes: encodeCore(core),
    route: { hops: 0, maxHops: 8, visited: ['ee/src'], copy: 0 },
    sig: new Uint8Array(64).fill(7),
    payload,
  }
}

/** A fresh directory under the OS temp dir, removed by the returned cleanup. */
export async function tempDir(prefix = 'lifeline-store-'): Promise<{
  dir: string
  cleanup: () => Promise<void>
}> {
  const dir = await mkdtemp(join(tmpdir(), prefix))
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) }
}

export const ROOMY = { maxMessages: 1_000_000, maxBytes: 1024 ** 3 }
