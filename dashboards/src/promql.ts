/**
 * Just enough PromQL reading to list the metric names an expression selects, so
 * tests can hold dashboards and alerts to the metric catalogue. It is a lexer,
 * not a parser: it does not check syntax (promtool and Prometheus do that) and
 * does not see names given only as `{__name__="..."}`.
 */

/** Words that look like metric names in PromQL but are operators or modifiers. */
const KEYWORDS = new Set([
  'and',
  'or',
  'unless',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'offset',
  'bool',
  'atan2',
  'inf',
  'nan',
])

const STRINGS = /"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g
const LABEL_MATCHERS = /\{[^}]*\}/g
const RANGES = /\[[^\]]*\]/g
const LABEL_LISTS = /\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g
const AT_MODIFIERS = /@\s*(?:[0-9.]+|start\s*\(\s*\)|end\s*\(\s*\))/g
const TOKENS = /[A-Za-z_:][A-Za-z0-9_:]*|[0-9](?:[0-9A-Za-z_.]|(?<=[eE])[+-])*|\S/g

/** The distinct metric names an expression selects, in order of first use. */
export function metricNames(expr: string): string[] {
  const stripped = expr
    .replace(STRINGS, ' ')
    .replace(LABEL_MATCHERS, ' ')
    .replace(RANGES, ' ')
    .replace(LABEL_LISTS, ' ')
    .replace(AT_MODIFIERS, ' ')
  const tokens = stripped.match(TOKENS) ?? []
  const names: string[] = []
  tokens.forEach((token, index) => {
    if (!/^[A-Za-z_:]/.test(token)) return
    if (KEYWORDS.has(token.toLowerCase())) return
    if (tokens[index + 1] === '(') return
    if (!names.includes(token)) names.push(token)
  })
  return names
}

/** Every range selector (`[5m]`, `[$__rate_interval]`, `[10m:1m]`) in an expression. */
export function rangeSelectors(expr: string): string[] {
  return (expr.replace(STRINGS, ' ').match(RANGES) ?? []).map((range) => range.slice(1, -1))
}
