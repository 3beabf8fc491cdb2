import { readFileSync } from 'node:fs'
import { XMLParser } from 'fast-xml-parser'
import { addBidirectionalLink, type Graph } from '../../../node/routing/graph.ts'

/** Shared reference topologies, read in place (never copied into the repository). */
export const DATA_DIR = '/work/shared/data'

const EARTH_RADIUS_KM = 6371
/** Light in fibre covers about 100 km per millisecond of round trip. */
const KM_PER_RTT_MS = 100

function toRad(deg: number): number {
  return (deg * Math.PI) / 180
}

/** Great-circle distance in kilometres. */
export function distanceKm(a: [number, number], b: [number, number]): number {
  const dLat = toRad(b[0] - a[0])
  const dLon = toRad(b[1] - a[1])
  const h =
    Math.sin(dLat / 2) ** 2 +
    Math.cos(toRad(a[0])) * Math.cos(toRad(b[0])) * Math.sin(dLon / 2) ** 2
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)))
}

/** Round-trip milliseconds over fibre between two points, at least 1. */
export function fibreRttMs(a: [number, number], b: [number, number]): number {
  return Math.max(1, distanceKm(a, b) / KM_PER_RTT_MS)
}

interface CableFile {
  cables: Array<{ id: string; landing_points: Array<{ id: string; latlon: string }> }>
}

/**
 * The submarine-cable dataset as an overlay: one node per landing point, and
 * every two landing points of one cable linked (a cable is a shared trunk
 * with branching units), priced by great-circle fibre delay.
 */
export function submarineCableGraph(path = `${DATA_DIR}/submarine-cables.json`): Graph {
  const data = JSON.parse(readFileSync(path, 'utf8')) as CableFile
  const graph: Graph = new Map()
  for (const cable of data.cables) {
    const points = cable.landing_points.map((p) => ({
      id: p.id,
      at: p.latlon.split(',').map(Number) as [number, number],
    }))
    for (let i = 0; i < points.length; i++) {
      for (let j = i + 1; j < points.length; j++) {
        const a = points[i]!
        const b = points[j]!
        addBidirectionalLink(graph, a.id, b.id, fibreRttMs(a.at, b.at))
      }
    }
  }
  return graph
}

type XmlNode = Record<string, unknown>

function asArray(value: unknown): XmlNode[] {
  if (value === undefined) return []
  return (Array.isArray(value) ? value : [value]) as XmlNode[]
}

/** An Internet Topology Zoo GraphML file, links priced by fibre delay between node coordinates. */
export function graphmlGraph(path: string): Graph {
  const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' })
  const doc = parser.parse(readFileSync(path, 'utf8')) as { graphml: XmlNode }
  const keyIds = new Map<string, string>()
  for (const key of asArray(doc.graphml.key))
    keyIds.set(`${key.for}:${key['attr.name']}`, `${key.id}`)
  const data = (node: XmlNode, name: string): number => {
    const id = keyIds.get(`node:${name}`)
    const entry = asArray(node.data).find((d) => d.key === id)
    return Number(entry?.['#text'])
  }
  const graphEl = doc.graphml.graph as XmlNode
  const coords = new Map<string, [number, number]>()
  for (const node of asArray(graphEl.node)) {
    coords.set(`${node.id}`, [data(node, 'Latitude') || 0, data(node, 'Longitude') || 0])
  }
  const graph: Graph = new Map()
  for (const edge of asArray(graphEl.edge)) {
    const a = `${edge.source}`
    const b = `${edge.target}`
    addBidirectionalLink(graph, a, b, fibreRttMs(coords.get(a)!, coords.get(b)!))
  }
  return graph
}
