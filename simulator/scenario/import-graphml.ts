import { XMLParser, XMLValidator } from 'fast-xml-parser'
import { type Coordinates, fibreLatencyMs, IdAllocator, slugify } from './geo.ts'
import type { DrillLink, DrillNode } from './types.ts'

/** Nodes and links an importer produced, before inline additions and validation. */
export interface ImportedTopology {
  nodes: DrillNode[]
  links: DrillLink[]
}

/** Latency given to a link when either end has no coordinates. */
export const DEFAULT_IMPORT_LATENCY_MS = 1

interface XmlData {
  '@key'?: string
  '#text'?: string
}
interface XmlElement {
  '@id'?: string
  '@source'?: string
  '@target'?: string
  '@for'?: string
  '@attr.name'?: string
  data?: XmlData[]
}
interface XmlGraph {
  node?: XmlElement[]
  edge?: XmlElement[]
}
interface XmlRoot {
  graphml?: { key?: XmlElement[]; graph?: XmlGraph[] }
}

const ARRAYS = new Set(['key', 'graph', 'node', 'edge', 'data'])

/**
 * Reads a GraphML topology as the Internet Topology Zoo publishes it. A node's
 * id is its `label` slugified (see `slugify`), made unique in file order; its
 * coordinates come from `Latitude`/`Longitude` when present. Each edge becomes a
 * link named `<a>-<b>` with the great-circle fibre latency between its ends.
 * The overlay keeps one link per pair of gateways, so parallel edges collapse
 * into the first, and self-loops are dropped. Throws with a plain message when
 * the file is not GraphML.
 */
export function parseGraphml(xml: string): ImportedTopology {
  const valid = XMLValidator.validate(xml)
  if (valid !== true) {
    throw new Error(`not well-formed XML at line ${valid.err.line}: ${valid.err.msg}`)
  }
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@',
    parseTagValue: false,
    parseAttributeValue: false,
    isArray: (tag) => ARRAYS.has(tag),
  })
  const root = parser.parse(xml) as XmlRoot
  const graph = root.graphml?.graph?.[0]
  if (graph === undefined) throw new Error('expected a <graphml> document with a <graph>')
  const keys = attributeNames(root.graphml?.key ?? [])
  const { nodes, byXmlId } = readNodes(graph.node ?? [], keys)
  return { nodes, links: readEdges(graph.edge ?? [], byXmlId) }
}

/** Maps each data key id to its attribute name, per element kind (`node`, `edge`). */
function attributeNames(keys: XmlElement[]): Map<string, string> {
  const names = new Map<string, string>()
  for (const key of keys) {
    const id = key['@id']
    const attr = key['@attr.name']
    if (id === undefined || attr === undefined) continue
    const scope = key['@for'] ?? 'all'
    names.set(`${scope}:${id}`, attr)
  }
  return names
}

function readData(element: XmlElement, scope: string, keys: Map<string, string>) {
  const values = new Map<string, string>()
  for (const data of element.data ?? []) {
    const key = data['@key'] ?? ''
    const attr = keys.get(`${scope}:${key}`) ?? keys.get(`all:${key}`)
    if (attr !== undefined) values.set(attr, String(data['#text'] ?? '').trim())
  }
  return values
}

function readNodes(elements: XmlElement[], keys: Map<string, string>) {
  const ids = new IdAllocator()
  const nodes: DrillNode[] = []
  const byXmlId = new Map<string, DrillNode>()
  for (const element of elements) {
    const xmlId = element['@id']
    if (xmlId === undefined) throw new Error('expected every <node> to have an id')
    const data = readData(element, 'node', keys)
    const node: DrillNode = { id: ids.claim(slugify(data.get('label') ?? `node ${xmlId}`)) }
    const latitude = Number.parseFloat(data.get('Latitude') ?? '')
    const longitude = Number.parseFloat(data.get('Longitude') ?? '')
    if (Number.isFinite(latitude) && Number.isFinite(longitude)) {
      node.latitude = latitude
      node.longitude = longitude
    }
    nodes.push(node)
    byXmlId.set(xmlId, node)
  }
  return { nodes, byXmlId }
}

function readEdges(elements: XmlElement[], byXmlId: Map<string, DrillNode>): DrillLink[] {
  const linkIds = new IdAllocator()
  const pairs = new Set<string>()
  const links: DrillLink[] = []
  for (const element of elements) {
    const a = byXmlId.get(element['@source'] ?? '')
    const b = byXmlId.get(element['@target'] ?? '')
    if (a === undefined || b === undefined) {
      throw new Error(`edge ${element['@source']} -> ${element['@target']} names a missing node`)
    }
    const pair = [a.id, b.id].sort().join('\n')
    if (a === b || pairs.has(pair)) continue
    pairs.add(pair)
    links.push(importedLink(linkIds.claim(`${a.id}-${b.id}`), a, b, []))
  }
  return links
}

/** An imported link: fibre latency from the coordinates, no jitter or loss until a fault. */
export function importedLink(id: string, a: DrillNode, b: DrillNode, cables: string[]): DrillLink {
  return {
    id,
    a: a.id,
    b: b.id,
    latencyMs: latencyBetween(a, b),
    jitterMs: 0,
    lossRatio: 0,
    cables,
  }
}

/** Fibre latency between two nodes, or the default when either lacks coordinates. */
export function latencyBetween(a: DrillNode, b: DrillNode): number {
  const p = coordinates(a)
  const q = coordinates(b)
  return p === undefined || q === undefined ? DEFAULT_IMPORT_LATENCY_MS : fibreLatencyMs(p, q)
}

function coordinates(node: DrillNode): Coordinates | undefined {
  if (node.latitude === undefined || node.longitude === undefined) return undefined
  return { latitude: node.latitude, longitude: node.longitude }
}
