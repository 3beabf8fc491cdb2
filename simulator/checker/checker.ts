import type { Scenario } from '../scenario/types.ts'
import { classify, summarizeLatency } from './classify.ts'
import { failovers, recoveries } from './failover.ts'
import type { CheckResult, Failover, History, MessageCounts, Recovery } from './types.ts'

export type { CheckResult, History } from './types.ts'

/** How many example ids a failure line names before it says "...". */
const EXAMPLE_IDS = 5

/**
 * Checks a drill's history against its scenario: classifies every message
 * (see `classify.ts`), measures failover and recovery (see `failover.ts`) and
 * states each expectation that does not hold as one human-readable failure.
 * Pure: the same history and scenario always give the same result.
 */
export function check(history: History, scenario: Scenario): CheckResult {
  const classes = classify(history)
  const messages: MessageCounts = {
    sent: history.sends.length,
    accepted: classes.accepted.size,
    delivered: classes.firstDelivery.size,
    lost: classes.lost.length,
    duplicated: classes.duplicated.length,
    redeliveredAfterCrash: classes.redelivered.length,
    unexpected: classes.unexpected.length,
    expired: classes.expired.length,
  }
  const ids = {
    lost: classes.lost,
    duplicated: classes.duplicated,
    unexpected: classes.unexpected,
    expired: classes.expired,
  }
  const failoverList = failovers(scenario, history, classes)
  const recoveryList = recoveries(history)
  const failures = [
    ...countFailures(messages, ids, scenario.expect),
    ...refusalFailures(history),
    ...failoverFailures(failoverList, scenario.expect.failoverWithinMs),
    ...recoveryFailures(recoveryList, scenario.expect.drainedWithinMs),
  ]
  return {
    messages,
    latencySeconds: summarizeLatency(classes.latenciesMs),
    failovers: failoverList,
    recoveries: recoveryList,
    ids,
    verdict: { passed: failures.length === 0, failures },
  }
}

const COUNTED = [
  ['lost', 'lost'],
  ['duplicated', 'delivered more than once'],
  ['unexpected', 'delivered unexpectedly (never accepted, corrupted or misrouted)'],
  ['expired', 'expired'],
] as const

/**
 * Sends a running gateway refused fail the drill: a drill whose traffic never
 * entered custody proves nothing, and a refusal means something (payload
 * over the limit, a full store) the scenario did not plan for. A source
 * gateway that was down (powered off by the scenario) is not a refusal.
 */
function refusalFailures(history: History): string[] {
  const codes = new Map<string, number>()
  for (const send of history.sends) {
    if (send.outcome !== 'refused' || send.code === 'UNREACHABLE') continue
    const code = send.code ?? 'REFUSED'
    codes.set(code, (codes.get(code) ?? 0) + 1)
  }
  if (codes.size === 0) return []
  const total = [...codes.values()].reduce((a, b) => a + b, 0)
  const detail = [...codes].map(([code, n]) => `${n} ${code}`).join(', ')
  return [`${total} ${total === 1 ? 'send was' : 'sends were'} refused (${detail})`]
}

function countFailures(
  messages: MessageCounts,
  ids: CheckResult['ids'],
  expect: Scenario['expect'],
): string[] {
  const failures: string[] = []
  for (const [key, what] of COUNTED) {
    const limit = expect[key]
    if (limit === undefined || messages[key] <= limit) continue
    const list = ids[key]
    const examples =
      list.slice(0, EXAMPLE_IDS).join(', ') + (list.length > EXAMPLE_IDS ? ', ...' : '')
    failures.push(
      `${messages[key]} ${plural(messages[key])} ${what}, expected at most ${limit} (${examples})`,
    )
  }
  return failures
}

function failoverFailures(list: Failover[], withinMs: number | undefined): string[] {
  if (withinMs === undefined) return []
  const limit = withinMs / 1000
  return list.flatMap((f) => {
    if (f.seconds === null) {
      return [`no traffic flowed again after ${f.target} at ${f.at}s, expected within ${limit}s`]
    }
    if (f.seconds <= limit) return []
    return [`failover after ${f.target} at ${f.at}s took ${f.seconds}s, expected within ${limit}s`]
  })
}

function recoveryFailures(list: Recovery[], withinMs: number | undefined): string[] {
  if (withinMs === undefined) return []
  const limit = withinMs / 1000
  return list.flatMap((r) => {
    const when = `its restart at ${r.restartedAt}s`
    if (r.seconds === null) {
      return [`${r.node} never drained its backlog after ${when}, expected within ${limit}s`]
    }
    if (r.seconds <= limit) return []
    return [`${r.node} drained its backlog ${r.seconds}s after ${when}, expected within ${limit}s`]
  })
}

function plural(n: number): string {
  return n === 1 ? 'message' : 'messages'
}
