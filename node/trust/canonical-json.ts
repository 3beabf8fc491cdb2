/**
 * Canonical JSON for signed documents: object keys sorted by UTF-16 code units,
 * no whitespace, strings and integers as `JSON.stringify` writes them. For
 * documents made only of strings, safe integers, booleans, arrays and plain
 * objects (which is all a roster holds) this matches RFC 8785, so any
 * implementation can reproduce the bytes a signature covers.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') {
    return JSON.stringify(value)
  }
  if (typeof value === 'number') {
    // Fractions and huge numbers have several plausible spellings; refuse them.
    if (!Number.isSafeInteger(value)) throw new TypeError(`cannot canonicalize number ${value}`)
    return JSON.stringify(value)
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  if (typeof value === 'object' && isPlainObject(value)) {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`
  }
  throw new TypeError(`cannot canonicalize a value of type ${typeof value}`)
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

/** UTF-8 bytes of `canonicalJson(value)`. */
export function canonicalBytes(value: unknown): Uint8Array {
  return new TextEncoder().encode(canonicalJson(value))
}
