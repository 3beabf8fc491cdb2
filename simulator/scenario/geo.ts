/** Mean Earth radius (IUGG), kilometres. */
const EARTH_RADIUS_KM = 6371.0088

/**
 * Speed of light in optical fibre: c divided by a refractive index of about
 * 1.47, rounded. Real routes are longer than the great circle, so latencies
 * derived from it are a lower bound.
 */
export const FIBRE_KM_PER_SECOND = 204_000

export interface Coordinates {
  latitude: number
  longitude: number
}

/** Great-circle distance in kilometres (haversine formula). */
export function greatCircleKm(p: Coordinates, q: Coordinates): number {
  const rad = Math.PI / 180
  const dLat = (q.latitude - p.latitude) * rad
  const dLon = (q.longitude - p.longitude) * rad
  const h =
    Math.sin(dLat / 2) ** 2 +
    Math.cos(p.latitude * rad) * Math.cos(q.latitude * rad) * Math.sin(dLon / 2) ** 2
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)))
}

/** One-way propagation delay over fibre laid along the great circle, in ms (0.01 ms steps). */
export function fibreLatencyMs(p: Coordinates, q: Coordinates): number {
  const ms = (greatCircleKm(p, q) / FIBRE_KM_PER_SECOND) * 1000
  return Math.round(ms * 100) / 100
}

/**
 * A label as a node id: lower-cased, each run of characters outside `a-z0-9`
 * replaced by `-`, leading and trailing `-` trimmed. An empty result becomes
 * `node` so every node still gets a usable id.
 */
export function slugify(label: string): string {
  const slug = label
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
  return slug === '' ? 'node' : slug
}

/**
 * Makes ids unique in the order they are claimed: the first `x` stays `x`,
 * later ones become `x-2`, `x-3`, ... skipping any id already taken.
 */
export class IdAllocator {
  readonly #taken = new Set<string>()
  readonly #next = new Map<string, number>()

  claim(base: string): string {
    if (!this.#taken.has(base)) {
      this.#taken.add(base)
      return base
    }
    let n = this.#next.get(base) ?? 2
    while (this.#taken.has(`${base}-${n}`)) n++
    this.#next.set(base, n + 1)
    const id = `${base}-${n}`
    this.#taken.add(id)
    return id
  }
}
