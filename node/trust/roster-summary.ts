import type { RosterState, SignedRoster } from './roster.ts'

export interface RosterSummaryOptions {
  /** Unix milliseconds. */
  now: number
  /** `verified`, or why the signature was not checked. */
  signature: string
  /** Grace period used to describe the roster's state. */
  graceMs: number
}

/** A human summary of a signed roster, for `roster inspect`. */
export function formatRosterSummary(signed: SignedRoster, opts: RosterSummaryOptions): string {
  const doc = signed.roster
  const issuedAt = Date.parse(doc.issuedAt)
  const validUntil = Date.parse(doc.validUntil)
  const lines = [
    `federation   ${doc.federation}`,
    `version      ${doc.version}`,
    `issued       ${doc.issuedAt} (${relative(issuedAt - opts.now)})`,
    `valid until  ${doc.validUntil} (${relative(validUntil - opts.now)}, ${describe(stateAt(validUntil, opts))})`,
    `signature    ${opts.signature}`,
    `members      ${doc.members.length}`,
  ]
  for (const m of doc.members) {
    lines.push(`  ${m.name}`)
    lines.push(`    peer id    ${m.peerId}`)
    lines.push(`    addresses  ${m.addresses.length === 0 ? '(none)' : m.addresses.join(', ')}`)
    for (const s of m.services) {
      lines.push(
        `    service ${s.name} <- ${s.allow.length === 0 ? '(nobody)' : s.allow.join(', ')}`,
      )
    }
  }
  const groups = Object.entries(doc.groups)
  lines.push(`groups       ${groups.length}`)
  for (const [name, list] of groups) lines.push(`  @${name}: ${list.join(', ') || '(empty)'}`)
  return `${lines.join('\n')}\n`
}

function stateAt(validUntil: number, opts: RosterSummaryOptions): RosterState {
  if (opts.now <= validUntil) return 'valid'
  return opts.now <= validUntil + opts.graceMs ? 'grace' : 'expired'
}

function describe(state: RosterState): string {
  if (state === 'valid') return 'valid'
  if (state === 'grace') return 'EXPIRED, gateways run on it in their grace period'
  return 'EXPIRED beyond the grace period, gateways refuse new work'
}

/** `in 3d 4h` / `2h 5m ago`: coarse enough to read at a glance. */
function relative(deltaMs: number): string {
  const abs = Math.abs(deltaMs)
  const units: Array<[string, number]> = [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ]
  const parts: string[] = []
  let rest = abs
  for (const [unit, size] of units) {
    if (rest >= size && parts.length < 2) {
      parts.push(`${Math.floor(rest / size)}${unit}`)
      rest %= size
    }
  }
  const text = parts.length === 0 ? '0s' : parts.join(' ')
  return deltaMs >= 0 ? `in ${text}` : `${text} ago`
}
