/**
 * Control frames between neighbours, one control stream per direction:
 * probes and their echoes for the link monitor, link-state records and rosters
 * for flooding. A frame is a tag byte and a body.
 */
export const CONTROL = { probe: 1, probeAck: 2, linkState: 3, roster: 4 } as const

export type FloodKind = 'linkState' | 'roster'

export function probeFrame(tag: 1 | 2, seq: number): Uint8Array {
  const frame = new Uint8Array(5)
  frame[0] = tag
  new DataView(frame.buffer).setUint32(1, seq >>> 0)
  return frame
}

export function readSeq(frame: Uint8Array): number | undefined {
  if (frame.length !== 5) return undefined
  return new DataView(frame.buffer, frame.byteOffset, frame.byteLength).getUint32(1)
}

export function floodFrame(kind: FloodKind, body: Uint8Array): Uint8Array {
  const frame = new Uint8Array(body.length + 1)
  frame[0] = CONTROL[kind]
  frame.set(body, 1)
  return frame
}

/** Largest control frame: rosters of large federations stay well under it. */
export const MAX_CONTROL_FRAME_BYTES = 4 * 1024 * 1024
