import { LifelineError } from '../core/errors.ts'
import type { Logger } from '../core/log.ts'
import type { Metrics } from '../metrics/catalogue.ts'
import { type Roster, type RosterState, verifyRoster } from '../trust/roster.ts'
import { encodeSignedRoster, loadRosterFile, saveRosterAtomically } from '../trust/roster-file.ts'

export interface RosterKeeperOptions {
  file: string
  authorityKey: Uint8Array
  graceMs: number
  logger: Logger
  metrics?: Metrics
}

/**
 * Holds the roster in force. A newer roster signed by the authority may arrive
 * from any neighbour: it is verified, persisted atomically, swapped in and
 * flooded on. Past valid-until the gateway keeps working for the grace period
 * and says so at every check; after grace it refuses new exchanges.
 */
export class RosterKeeper extends EventTarget {
  readonly #o: RosterKeeperOptions
  #roster!: Roster
  #lastState: RosterState = 'valid'

  constructor(options: RosterKeeperOptions) {
    super()
    this.#o = options
  }

  async load(): Promise<Roster> {
    this.#roster = await loadRosterFile(this.#o.file, this.#o.authorityKey)
    this.#publish()
    this.#o.logger.info(
      { version: this.#roster.version, members: this.#roster.members().length },
      'roster loaded',
    )
    return this.#roster
  }

  get roster(): Roster {
    return this.#roster
  }

  /** The roster as flooded to neighbours. */
  encoded(): Uint8Array {
    return new TextEncoder().encode(encodeSignedRoster(this.#roster.signed))
  }

  state(now = Date.now()): RosterState {
    const state = this.#roster.state(now, this.#o.graceMs)
    if (state !== this.#lastState) {
      this.#lastState = state
      const log = state === 'valid' ? this.#o.logger.info : this.#o.logger.error
      log.call(
        this.#o.logger,
        {
          version: this.#roster.version,
          validUntil: new Date(this.#roster.validUntil).toISOString(),
        },
        state === 'grace'
          ? 'ROSTER STALE: past valid-until, working on grace; get a newer roster'
          : state === 'expired'
            ? 'ROSTER EXPIRED: grace over; refusing new exchanges until a newer roster'
            : 'roster valid again',
      )
    }
    this.#o.metrics?.rosterStale.set(state === 'valid' ? 0 : 1)
    return state
  }

  assertUsable(): void {
    if (this.state() === 'expired') {
      throw new LifelineError(
        'ROSTER_EXPIRED',
        `roster v${this.#roster.version} expired on ` +
          `${new Date(this.#roster.validUntil).toISOString()} and its grace period is over`,
      )
    }
  }

  /**
   * Considers a roster received from `from`. Returns true when it replaced the
   * one in force (the caller floods it on).
   */
  async offer(bytes: Uint8Array, from: string): Promise<boolean> {
    let candidate: Roster
    try {
      candidate = verifyRoster(bytes, this.#o.authorityKey)
    } catch (err) {
      this.#o.metrics?.rejected.inc({ reason: 'BAD_ROSTER' })
      this.#o.logger.warn(
        { from, reason: (err as Error).message },
        'rejected roster from neighbour',
      )
      return false
    }
    if (!candidate.isNewerThan(this.#roster)) return false
    if (candidate.state(Date.now(), 0) !== 'valid') {
      this.#o.logger.warn(
        { from, version: candidate.version },
        'rejected newer roster: already expired',
      )
      return false
    }
    await saveRosterAtomically(this.#o.file, candidate.signed)
    const previous = this.#roster
    this.#roster = candidate
    this.#publish()
    this.#o.logger.info(
      { from, version: candidate.version, previous: previous.version },
      'roster updated from the overlay',
    )
    this.dispatchEvent(new CustomEvent('change', { detail: { previous, current: candidate } }))
    return true
  }

  #publish(): void {
    const m = this.#o.metrics
    m?.rosterVersion.set(this.#roster.version)
    m?.rosterIssued.set(this.#roster.issuedAt / 1000)
    m?.rosterValidUntil.set(this.#roster.validUntil / 1000)
    this.state()
  }
}
