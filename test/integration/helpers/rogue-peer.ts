import { generateKeyPair } from '@libp2p/crypto/keys'
import type { Connection, Ed25519PrivateKey, Stream } from '@libp2p/interface'
import { multiaddr } from '@multiformats/multiaddr'
import { type Envelope, encodeEnvelope } from '../../../node/core/envelope.ts'
import {
  type CustodyAck,
  envelopeFrame,
  FRAME,
  FramedStream,
  parseAck,
} from '../../../node/custody/wire.ts'
import {
  CONTROL,
  type FloodKind,
  floodFrame,
  MAX_CONTROL_FRAME_BYTES,
  probeFrame,
  readSeq,
} from '../../../node/overlay/control.ts'
import { createHost, type Host } from '../../../node/overlay/host.ts'
import { PROTOCOLS } from '../../../node/overlay/protocols.ts'
import type { MeshNode } from '../../../simulator/runner/mesh.ts'

/** The rogue brings no roster: it would talk to anyone. Only the other side's gate can refuse. */
const ADMIT_ALL = { admits: () => true, mayDial: () => true }

/**
 * A libp2p host with the gateway's own stack that speaks the overlay protocols
 * by hand: it answers link probes (so a gateway keeps the link), opens custody
 * streams and sends whatever envelope bytes a test builds, and writes raw
 * control frames. With a stranger's key it stands for an outsider; with a
 * member's key it stands for a member gone bad.
 */
export class RoguePeer {
  readonly host: Host

  private constructor(host: Host) {
    this.host = host
  }

  /** Starts a rogue host with `privateKey`, or with a fresh key that no roster knows. */
  static async start(privateKey?: Ed25519PrivateKey): Promise<RoguePeer> {
    const host = await createHost({
      privateKey: privateKey ?? (await generateKeyPair('Ed25519')),
      listen: ['/ip4/127.0.0.1/tcp/0'],
      announce: [],
      policy: ADMIT_ALL,
      dht: false,
    })
    await host.handle(PROTOCOLS.control, (stream) => void answerProbes(stream))
    await host.start()
    return new RoguePeer(host)
  }

  get peerId(): string {
    return this.host.peerId.toString()
  }

  /** Dials a gateway's overlay port directly (no proxy). */
  dial(node: MeshNode, timeoutMs = 5_000): Promise<Connection> {
    const address = multiaddr(`/ip4/127.0.0.1/tcp/${node.p2pPort}/p2p/${node.peerId}`)
    return this.host.dial(address, { signal: AbortSignal.timeout(timeoutMs) })
  }

  /** Dials `node` and opens a custody stream to it. */
  async custody(node: MeshNode, timeoutMs = 5_000): Promise<CustodyClient> {
    const conn = await this.dial(node, timeoutMs)
    const stream = await conn.newStream(PROTOCOLS.custody, {
      signal: AbortSignal.timeout(timeoutMs),
    })
    return new CustodyClient(stream)
  }

  /** Sends one flood frame (a roster, a link-state record) on a fresh control stream. */
  async flood(node: MeshNode, kind: FloodKind, body: Uint8Array): Promise<void> {
    const conn = await this.dial(node)
    const stream = await conn.newStream(PROTOCOLS.control, { signal: AbortSignal.timeout(5_000) })
    const framed = new FramedStream(stream, MAX_CONTROL_FRAME_BYTES)
    await framed.write(floodFrame(kind, body))
    // The stream stays open: closing it right away could race the gateway's read.
  }

  async stop(): Promise<void> {
    await this.host.stop()
  }
}

/** Echoes the probes a gateway sends, so its link monitor sees the link as up. */
async function answerProbes(stream: Stream): Promise<void> {
  const framed = new FramedStream(stream, MAX_CONTROL_FRAME_BYTES)
  try {
    for (;;) {
      const frame = await framed.read()
      const seq = frame[0] === CONTROL.probe ? readSeq(frame) : undefined
      if (seq !== undefined) await framed.write(probeFrame(CONTROL.probeAck, seq))
    }
  } catch {
    // The gateway closed the stream or the connection; nothing to clean up.
  }
}

/** The sending end of a custody stream, written by hand from the wire format. */
export class CustodyClient {
  readonly #framed: FramedStream
  readonly #waiting = new Map<string, PromiseWithResolvers<CustodyAck>>()
  #endedBy: Error | undefined

  constructor(stream: Stream) {
    this.#framed = new FramedStream(stream)
    void this.#readAcks()
  }

  /** Why the stream ended, once it has. */
  get endedBy(): Error | undefined {
    return this.#endedBy
  }

  /** Sends `env` (or raw encoded bytes with their id) and waits for the matching ack. */
  async transfer(env: Envelope | Uint8Array, id?: string, timeoutMs = 5_000): Promise<CustodyAck> {
    const bytes = env instanceof Uint8Array ? env : encodeEnvelope(env)
    const key = id ?? (env as Envelope).core.id
    if (this.#endedBy !== undefined) throw this.#endedBy
    const waiter = Promise.withResolvers<CustodyAck>()
    const timer = setTimeout(() => waiter.reject(new Error(`no ack for ${key}`)), timeoutMs)
    this.#waiting.set(key, waiter)
    try {
      await this.#framed.write(envelopeFrame(bytes))
      return await waiter.promise
    } finally {
      clearTimeout(timer)
      this.#waiting.delete(key)
    }
  }

  close(): void {
    this.#framed.abort(new Error('test done'))
  }

  async #readAcks(): Promise<void> {
    try {
      for (;;) {
        const frame = await this.#framed.read()
        const ack = frame[0] === FRAME.ack ? parseAck(frame.subarray(1)) : undefined
        if (ack !== undefined) this.#waiting.get(ack.id)?.resolve(ack)
      }
    } catch (err) {
      this.#endedBy = err as Error
      for (const waiter of this.#waiting.values()) waiter.reject(err)
    }
  }
}
