import type { Stream } from '@libp2p/interface'
import { decodeEnvelope, type Envelope } from '../core/envelope.ts'
import { isLifelineError } from '../core/errors.ts'
import type { Logger } from '../core/log.ts'
import type { Metrics } from '../metrics/catalogue.ts'
import { ackFrame, type CustodyAck, FRAME, FramedStream } from './wire.ts'

/** Decides what to do with an envelope a neighbour hands over; resolves once it is on disk. */
export interface CustodyPolicy {
  take(env: Envelope, from: string): Promise<CustodyAck>
}

export interface IntakeOptions {
  /** Transfers from one peer being processed at once; reading pauses beyond it (backpressure). */
  maxPendingPerPeer: number
  maxEnvelopeBytes: number
  logger: Logger
  metrics?: Metrics
}

/**
 * Serves one inbound custody stream: decodes each envelope, hands it to the
 * policy and answers with an ack once the policy's durable write resolved.
 * Transfers are processed concurrently so their writes share fsyncs; a peer
 * that sends garbage loses the stream, never the gateway.
 */
export async function serveCustodyStream(
  stream: Stream,
  from: string,
  policy: CustodyPolicy,
  options: IntakeOptions,
): Promise<void> {
  const framed = new FramedStream(stream, options.maxEnvelopeBytes + 1)
  const pending = new Set<Promise<void>>()
  const log = options.logger
  try {
    for (;;) {
      while (pending.size >= options.maxPendingPerPeer) await Promise.race(pending)
      const frame = await framed.read()
      if (frame[0] !== FRAME.envelope) throw new Error(`unexpected frame type ${frame[0]}`)
      let env: Envelope
      try {
        env = decodeEnvelope(frame.subarray(1), options.maxEnvelopeBytes)
      } catch (err) {
        options.metrics?.rejected.inc({ reason: 'DECODE_FAILED' })
        throw err
      }
      const task = answer(framed, env, from, policy, log).finally(() => pending.delete(task))
      pending.add(task)
    }
  } catch (err) {
    const reason = (err as Error).message
    if (isLifelineError(err, 'DECODE_FAILED'))
      log.warn({ peer: from, reason }, 'peer sent a bad frame')
    else log.debug({ peer: from, reason }, 'custody stream closed')
    framed.abort(err as Error)
  }
  await Promise.allSettled(pending)
}

async function answer(
  framed: FramedStream,
  env: Envelope,
  from: string,
  policy: CustodyPolicy,
  log: Logger,
): Promise<void> {
  let ack: CustodyAck
  try {
    ack = await policy.take(env, from)
  } catch (err) {
    if (isLifelineError(err)) {
      ack = { id: env.core.id, result: 'rejected', code: err.code, message: err.message }
    } else {
      log.error({ err, id: env.core.id, peer: from }, 'custody intake failed')
      ack = { id: env.core.id, result: 'busy', code: 'INTERNAL' }
    }
  }
  await framed.write(ackFrame(ack)).catch(() => {})
}
