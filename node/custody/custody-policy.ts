import type { Envelope } from '../core/envelope.ts'
import { isLifelineError, LifelineError } from '../core/errors.ts'
import type { Metrics } from '../metrics/catalogue.ts'
import type { CustodyStore } from '../store/types.ts'
import type { CustodyPolicy } from './intake.ts'
import type { CustodyAck } from './wire.ts'

export interface GatewayCustodyDeps {
  self: string
  store: CustodyStore
  /** Checks signature, membership and freshness; throws LifelineError. */
  verify(env: Envelope): Promise<void>
  isMember(name: string): boolean
  /** A message for this gateway was stored: the local delivery loop should look. */
  onInbound(): void
  /** A relayed envelope was stored for `dst`. */
  onOutbound(dst: string): void
  /** A receipt or reply addressed to this gateway arrived; resolves once recorded durably. */
  onReceipt(env: Envelope): Promise<void>
  metrics?: Metrics
}

/**
 * The gateway's answer to "will you take custody of this?": verified, fresh,
 * routable envelopes are written to disk (fsync) before the ack; a destination
 * keeps them for local delivery, a relay queues them onwards. A relay takes a
 * message it carried before back when it returns from a dead end (unless it
 * still holds it); the hop limit ends any loop. A full store
 * answers `busy` so the previous hop keeps its copy and retries later.
 */
export class GatewayCustody implements CustodyPolicy {
  readonly #d: GatewayCustodyDeps

  constructor(deps: GatewayCustodyDeps) {
    this.#d = deps
  }

  async take(env: Envelope, from: string): Promise<CustodyAck> {
    const { core } = env
    try {
      await this.#d.verify(env)
      if (core.expiresAt <= Date.now()) {
        throw new LifelineError('EXPIRED', `${core.id} expired before it reached ${this.#d.self}`)
      }
      const ack = core.dst === this.#d.self ? await this.#arrive(env) : await this.#relay(env)
      if (ack.result === 'accepted') this.#d.metrics?.custodyIn.inc()
      if (ack.result === 'duplicate') this.#d.metrics?.duplicates.inc()
      return ack
    } catch (err) {
      if (isLifelineError(err, 'STORE_FULL')) {
        return { id: core.id, result: 'busy', code: err.code, message: err.message }
      }
      if (isLifelineError(err)) {
        this.#d.metrics?.rejected.inc({ reason: err.code })
        return {
          id: core.id,
          result: 'rejected',
          code: err.code,
          message: `${from}: ${err.message}`,
        }
      }
      throw err
    }
  }

  async #arrive(env: Envelope): Promise<CustodyAck> {
    if (env.core.kind !== 'message') {
      await this.#d.onReceipt(env)
      return { id: env.core.id, result: 'accepted' }
    }
    const result = await this.#d.store.accept(env, 'inbound')
    if (result === 'accepted') this.#d.onInbound()
    return { id: env.core.id, result }
  }

  async #relay(env: Envelope): Promise<CustodyAck> {
    const { core, route } = env
    const self = this.#d.self
    if (!this.#d.isMember(core.dst)) {
      throw new LifelineError('UNKNOWN_DESTINATION', `${core.dst} is not in the roster`)
    }
    // A message coming back found a dead end further on; the hop limit bounds any loop.
    const revisit = route.visited.includes(self)
    if (route.hops + 1 > route.maxHops) {
      throw new LifelineError('HOP_LIMIT', `${core.id} exceeded its ${route.maxHops} hop limit`)
    }
    const relayed: Envelope = {
      ...env,
      route: { ...route, hops: route.hops + 1, visited: [...route.visited, self] },
    }
    const result = await this.#d.store.accept(relayed, 'outbound', undefined, { revisit })
    if (result === 'duplicate' && revisit) {
      // Still queued here: the neighbour sending it back took it from us a moment ago and
      // our copy is about to go on its ack. "Duplicate" would make both drop it; retry later.
      return { id: core.id, result: 'busy', code: 'STILL_HELD' }
    }
    if (result === 'accepted') this.#d.onOutbound(core.dst)
    return { id: core.id, result }
  }
}
