import { z } from 'zod'
import type { Problem } from './errors.ts'
import { greatCircleKm, IdAllocator, slugify } from './geo.ts'
import { type ImportedTopology, importedLink } from './import-graphml.ts'
import type { DrillLink, DrillNode } from './types.ts'

/**
 * Reads a selection of the submarine-cable dataset (cables, each with the
 * landing points it connects). Each selected landing point becomes a gateway
 * whose id is the dataset's landing-point id and whose region is its country.
 *
 * How a cable becomes links: among the cable's landing points inside the
 * selection, the links are the minimum spanning tree by great-circle distance
 * (Prim's algorithm, ties broken by dataset order). That follows the shape of a
 * real trunk with branching units better than a chain in the dataset's
 * (alphabetical) order, and keeps the link count at n - 1 per cable rather
 * than the n(n-1)/2 of a clique. Every link lists the cable, so cutting the
 * cable (by its dataset id) cuts exactly those links.
 *
 * The overlay has one link per pair of gateways. When two cables join the same
 * pair, that one link lists both cables, and cutting either cuts the link: the
 * model treats the pair's traffic as pinned to both, which overstates the
 * damage of a single cut on such pairs.
 */

const datasetSchema = z.object({
  cables: z.array(
    z.object({
      id: z.string().min(1),
      landing_points: z.array(
        z.object({
          id: z.string().min(1),
          name: z.string(),
          latlon: z.string().regex(/^\s*-?\d+(\.\d+)?\s*,\s*-?\d+(\.\d+)?\s*$/),
        }),
      ),
    }),
  ),
})

type Dataset = z.output<typeof datasetSchema>

export interface SubmarineSelection {
  countries?: string[]
  landingPoints?: string[]
}

export type SubmarineResult =
  | { ok: true; topology: ImportedTopology }
  | { ok: false; problems: Problem[] }

const IMPORT_PATH = 'topology.import'

/** Builds the selected topology from the dataset's JSON text. */
export function parseSubmarine(json: string, selection: SubmarineSelection): SubmarineResult {
  let dataset: Dataset
  try {
    dataset = datasetSchema.parse(JSON.parse(json))
  } catch (err) {
    const shape = '{cables: [{id, landing_points: [{id, name, latlon}]}]}'
    const reason = (err as Error).message.split('\n')[0]
    const message = `expected a submarine-cable dataset (${shape}): ${reason}`
    return { ok: false, problems: [{ path: `${IMPORT_PATH}.file`, message }] }
  }
  const picked = select(dataset, selection)
  if (picked.problems.length > 0) return { ok: false, problems: picked.problems }
  const links = cableLinks(dataset, picked.nodes)
  return { ok: true, topology: { nodes: picked.nodes, links } }
}

/** The country of a landing point: the last comma-separated part of its name. */
export function countryOf(landingPointName: string): string {
  const parts = landingPointName.split(',')
  return (parts[parts.length - 1] ?? '').trim()
}

function inCountry(landingPointName: string, country: string): boolean {
  const lower = landingPointName.toLowerCase()
  const wanted = country.trim().toLowerCase()
  return lower === wanted || lower.endsWith(`, ${wanted}`)
}

function select(dataset: Dataset, selection: SubmarineSelection) {
  const problems: Problem[] = []
  const countries = selection.countries ?? []
  const wantedIds = selection.landingPoints ?? []
  if (countries.length === 0 && wantedIds.length === 0) {
    const message = 'expected countries or landingPoints to select landing points'
    problems.push({ path: IMPORT_PATH, message })
  }
  const nodes = new Map<string, DrillNode>()
  const countryHits = new Set<string>()
  for (const cable of dataset.cables) {
    for (const point of cable.landing_points) {
      const country = countries.find((c) => inCountry(point.name, c))
      if (country !== undefined) countryHits.add(country)
      if (nodes.has(point.id) || (country === undefined && !wantedIds.includes(point.id))) continue
      const [latitude, longitude] = point.latlon.split(',').map((v) => Number(v.trim()))
      const region = slugify(country ?? countryOf(point.name))
      nodes.set(point.id, { id: point.id, region, latitude: latitude!, longitude: longitude! })
    }
  }
  countries.forEach((country, i) => {
    if (countryHits.has(country)) return
    const message = `expected a country with landing points in the dataset, got "${country}"`
    problems.push({ path: `${IMPORT_PATH}.countries[${i}]`, message })
  })
  wantedIds.forEach((id, i) => {
    if (nodes.has(id)) return
    const message = `expected a landing-point id from the dataset, got "${id}"`
    problems.push({ path: `${IMPORT_PATH}.landingPoints[${i}]`, message })
  })
  return { nodes: [...nodes.values()], problems }
}

function cableLinks(dataset: Dataset, nodes: DrillNode[]): DrillLink[] {
  const order = new Map(nodes.map((node, i) => [node.id, i]))
  const byPair = new Map<string, DrillLink>()
  const linkIds = new IdAllocator()
  for (const cable of dataset.cables) {
    const ids = new Set(cable.landing_points.map((p) => p.id).filter((id) => order.has(id)))
    const members = nodes.filter((node) => ids.has(node.id))
    for (const [p, q] of spanningTree(members)) {
      const [a, b] = order.get(p.id)! < order.get(q.id)! ? [p, q] : [q, p]
      const key = `${a.id}\n${b.id}`
      const existing = byPair.get(key)
      if (existing !== undefined) {
        if (!existing.cables.includes(cable.id)) existing.cables.push(cable.id)
        continue
      }
      byPair.set(key, importedLink(linkIds.claim(`${a.id}-${b.id}`), a, b, [cable.id]))
    }
  }
  return [...byPair.values()]
}

/** Minimum spanning tree edges by great-circle distance (Prim, O(n^2): cables are short). */
export function spanningTree(members: DrillNode[]): Array<[DrillNode, DrillNode]> {
  const edges: Array<[DrillNode, DrillNode]> = []
  if (members.length < 2) return edges
  const inTree = [members[0]!]
  const rest = members.slice(1)
  while (rest.length > 0) {
    let best = { km: Number.POSITIVE_INFINITY, from: inTree[0]!, index: 0 }
    for (const from of inTree) {
      rest.forEach((to, index) => {
        const km = distance(from, to)
        if (km < best.km) best = { km, from, index }
      })
    }
    const [to] = rest.splice(best.index, 1)
    inTree.push(to!)
    edges.push([best.from, to!])
  }
  return edges
}

function distance(p: DrillNode, q: DrillNode): number {
  return greatCircleKm(
    { latitude: p.latitude ?? 0, longitude: p.longitude ?? 0 },
    { latitude: q.latitude ?? 0, longitude: q.longitude ?? 0 },
  )
}
