/**
 * The raw overlay ceiling's two processes: `serve` acknowledges every frame
 * at once (no store, no decoding), `drive <json>` sends 1 KiB frames over one
 * stream with a window of unacknowledged ones, the way custody transfer
 * does. Both speak the gateway's own framing (length-prefixed frames with a
 * type byte, JSON acks) over TCP + Noise + Yamux.
 *
 * `serve` prints `{peerId, port}` as its first stdout line and exits when its
 * stdin closes. `drive` prints one JSON line per run and exits when done.
 */
import { randomBytes } from 'node:crypto'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import type { Stream } from '@libp2p/interface'
import { tcp } from '@libp2p/tcp'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'
import { ackFrame, envelopeFrame, FramedStream, parseAck } from '../../node/custody/wire.ts'

const PROTOCOL = '/lifeline-bench/ack/1.0.0'
const ID_BYTES = 26
const decoder = new TextDecoder()
const encoder = new TextEncoder()

/** What the parent asks `drive` to do. */
export interface DrivePlan {
  targets: Array<{ label: string; addr: string }>
  trials: number
  /** Frames per loaded run, sent `window` at a time. */
  count: number
  window: number
  /** Frames per unloaded run, one at a time. */
  idleCount: number
  payloadBytes: number
}

/** One run's outcome, as printed by `drive`. */
export interface DriveRun {
  trial: number
  target: string
  mode: 'loaded' | 'idle'
  ratePerSecond: number
  latenciesMs: number[]
}

function host() {
  return createLibp2p({
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
  })
}

async function acknowledge(stream: Stream): Promise<void> {
  const framed = new FramedStream(stream)
  try {
    for (;;) {
      const frame = await framed.read()
      const id = decoder.decode(frame.subarray(1, 1 + ID_BYTES))
      void framed.write(ackFrame({ id, result: 'accepted' })).catch(() => {})
    }
  } catch {
    // The driver closed its stream: nothing left to acknowledge.
  }
}

async function serve(): Promise<void> {
  const node = await host()
  await node.handle(PROTOCOL, (stream) => void acknowledge(stream), { maxInboundStreams: 8 })
  const port = Number(node.getMultiaddrs()[0]!.toString().split('/')[4])
  process.stdout.write(`${JSON.stringify({ peerId: node.peerId.toString(), port })}\n`)
  process.stdin.resume()
  process.stdin.on('end', async () => {
    await node.stop()
    process.exit(0)
  })
}

/** One stream's sending side: frames out, acks matched back by id. */
class AckedStream {
  readonly #framed: FramedStream
  readonly #waiting = new Map<string, () => void>()
  #next = 0

  constructor(stream: Stream) {
    this.#framed = new FramedStream(stream)
    void this.#readAcks()
  }

  send(payload: Uint8Array): Promise<void> {
    const id = String(this.#next++).padStart(ID_BYTES, '0')
    const body = new Uint8Array(ID_BYTES + payload.length)
    body.set(encoder.encode(id))
    body.set(payload, ID_BYTES)
    const { promise, resolve } = Promise.withResolvers<void>()
    this.#waiting.set(id, resolve)
    void this.#framed.write(envelopeFrame(body)).catch(() => {})
    return promise
  }

  async #readAcks(): Promise<void> {
    try {
      for (;;) {
        const ack = parseAck((await this.#framed.read()).subarray(1))
        if (ack === undefined) continue
        this.#waiting.get(ack.id)?.()
        this.#waiting.delete(ack.id)
      }
    } catch (err) {
      process.stderr.write(`ack stream broke: ${(err as Error).message}\n`)
      process.exit(1)
    }
  }
}

/** Sends `count` frames keeping `window` unacknowledged; rate and per-frame latencies. */
async function burst(stream: AckedStream, count: number, window: number, payload: Uint8Array) {
  const latencies = new Array<number>(count)
  let next = 0
  const worker = async () => {
    while (next < count) {
      const seq = next++
      const sent = performance.now()
      await stream.send(payload)
      latencies[seq] = performance.now() - sent
    }
  }
  const started = performance.now()
  await Promise.all(Array.from({ length: Math.min(window, count) }, worker))
  return { ratePerSecond: count / ((performance.now() - started) / 1000), latenciesMs: latencies }
}

async function drive(plan: DrivePlan): Promise<void> {
  const node = await host()
  const payload = new Uint8Array(randomBytes(plan.payloadBytes))
  const streams = new Map<string, AckedStream>()
  for (const target of plan.targets) {
    // `force`: every target is the same peer, each must get a connection of its own.
    const conn = await node.dial(multiaddr(target.addr), { force: true })
    const stream = new AckedStream(await conn.newStream(PROTOCOL))
    streams.set(target.label, stream)
    await burst(stream, Math.min(plan.count, 500), plan.window, payload)
  }
  const print = (run: DriveRun) => process.stdout.write(`${JSON.stringify(run)}\n`)
  for (let trial = 1; trial <= plan.trials; trial++) {
    for (const [target, stream] of streams) {
      const loaded = await burst(stream, plan.count, plan.window, payload)
      print({ trial, target, mode: 'loaded', ...loaded })
      const idle = await burst(stream, plan.idleCount, 1, payload)
      print({ trial, target, mode: 'idle', ...idle })
    }
  }
  await node.stop()
}

const [mode, arg] = process.argv.slice(2)
if (mode === 'serve') await serve()
else if (mode === 'drive' && arg !== undefined) await drive(JSON.parse(arg) as DrivePlan)
else {
  process.stderr.write('usage: overlay-peer.ts serve | drive <plan-json>\n')
  process.exit(2)
}
