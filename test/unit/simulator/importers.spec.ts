import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { parseGraphml } from '../../../simulator/scenario/import-graphml.ts'
import { countryOf, parseSubmarine } from '../../../simulator/scenario/import-submarine.ts'
import { sharedDir } from '../../../simulator/scenario/paths.ts'
import { loadYaml, scenarioDir } from './fixtures.ts'

const DATA = join(sharedDir(), 'data')
const dir = scenarioDir()

/** Node count and distinct undirected edges, read with plain regexes rather than the importer. */
function rawGraphml(file: string) {
  const xml = readFileSync(join(DATA, file), 'utf8')
  const nodes = [...xml.matchAll(/<node id="([^"]+)"/g)].map((m) => m[1]!)
  const pairs = new Set<string>()
  for (const m of xml.matchAll(/<edge source="([^"]+)" target="([^"]+)"/g)) {
    if (m[1] !== m[2]) pairs.add([m[1], m[2]].sort().join(' '))
  }
  return { nodes, pairs }
}

/** Great-circle km by the spherical law of cosines (the importer uses haversine). */
function cosineKm(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const r = Math.PI / 180
  const c =
    Math.sin(lat1 * r) * Math.sin(lat2 * r) +
    Math.cos(lat1 * r) * Math.cos(lat2 * r) * Math.cos((lon2 - lon1) * r)
  return 6371 * Math.acos(Math.min(1, c))
}

interface RawCable {
  id: string
  landing_points: Array<{ id: string; name: string; latlon: string }>
}
const cables = (
  JSON.parse(readFileSync(join(DATA, 'submarine-cables.json'), 'utf8')) as { cables: RawCable[] }
).cables

describe('GraphML import', () => {
  for (const file of ['Abilene.graphml', 'Nsfnet.graphml']) {
    test(`${file} gives one gateway per node and one link per connected pair`, () => {
      const raw = rawGraphml(file)
      const topo = parseGraphml(readFileSync(join(DATA, file), 'utf8'))
      assert.equal(topo.nodes.length, raw.nodes.length)
      assert.equal(topo.links.length, raw.pairs.size)
      const ids = topo.nodes.map((n) => n.id)
      assert.equal(new Set(ids).size, ids.length)
      for (const id of ids) assert.match(id, /^[a-z0-9]+(-[a-z0-9]+)*$/)
    })
  }

  test('ids are slugified labels and latency is fibre time over the great circle', () => {
    const topo = parseGraphml(readFileSync(join(DATA, 'Nsfnet.graphml'), 'utf8'))
    const ids = topo.nodes.map((n) => n.id)
    assert.ok(ids.includes('jon-von-neumann-center-princeton-nj'))
    assert.ok(ids.includes('ncsa-university-of-illinois-champaign'))
    const abilene = parseGraphml(readFileSync(join(DATA, 'Abilene.graphml'), 'utf8'))
    const link = abilene.links.find((l) => l.id === 'new-york-chicago')
    assert.ok(link !== undefined)
    const km = cosineKm(40.71427, -74.00597, 41.85003, -87.65005)
    assert.ok(Math.abs(link.latencyMs - km / 204) < 0.02, `${link.latencyMs} ms for ${km} km`)
  })

  test('repeated labels get -2, -3 in file order and missing coordinates a default latency', () => {
    const keys =
      '<key attr.name="label" for="node" id="d1"/><key attr.name="Latitude" for="node" id="d2"/>'
    const node = (id: number, label: string) =>
      `<node id="${id}"><data key="d1">${label}</data></node>`
    const xml = `<?xml version="1.0"?><graphml>${keys}<graph edgedefault="undirected">
      ${node(0, 'São Paulo (BR)')}${node(1, 'Sao Paulo BR')}${node(2, '--Sao--Paulo--BR--')}
      ${node(3, 'Oslo')}<node id="4"/>
      <edge source="0" target="1"/><edge source="1" target="0"/><edge source="3" target="3"/>
      <edge source="2" target="3"/></graph></graphml>`
    const topo = parseGraphml(xml)
    assert.deepEqual(
      topo.nodes.map((n) => n.id),
      ['s-o-paulo-br', 'sao-paulo-br', 'sao-paulo-br-2', 'oslo', 'node-4'],
    )
    assert.deepEqual(
      topo.links.map((l) => [l.id, l.latencyMs]),
      [
        ['s-o-paulo-br-sao-paulo-br', 1],
        ['sao-paulo-br-2-oslo', 1],
      ],
    )
  })

  test('a file that is not GraphML is refused with the reason', () => {
    assert.throws(() => parseGraphml('<graphml><graph><node id="1">'), /well-formed/)
    assert.throws(() => parseGraphml('<html></html>'), /expected a <graphml>/)
  })
})

describe('submarine-cable import', () => {
  const json = readFileSync(join(DATA, 'submarine-cables.json'), 'utf8')

  test('a country selection gives one gateway per landing point in that country', () => {
    const expected = new Set(
      cables.flatMap((c) =>
        c.landing_points.filter((p) => p.name.endsWith(', Taiwan')).map((p) => p.id),
      ),
    )
    const result = parseSubmarine(json, { countries: ['Taiwan'] })
    assert.ok(result.ok)
    assert.deepEqual(new Set(result.topology.nodes.map((n) => n.id)), expected)
    assert.ok(result.topology.nodes.every((n) => n.region === 'taiwan'))
  })

  test('each cable links its selected landing points with a spanning tree naming the cable', () => {
    const chosen = ['tanshui-taiwan', 'toucheng-taiwan', 'fangshan-taiwan', 'busan-south-korea']
    const more = ['chikura-japan', 'shima-japan', 'tseung-kwan-o-china', 'batangas-philippines']
    const result = parseSubmarine(json, { landingPoints: [...chosen, ...more] })
    assert.ok(result.ok)
    const { links, nodes } = result.topology
    assert.equal(nodes.length, 8)
    for (const cable of cables) {
      const points = new Set(
        cable.landing_points.map((p) => p.id).filter((id) => nodes.some((n) => n.id === id)),
      )
      const riding = links.filter((l) => l.cables.includes(cable.id))
      if (points.size < 2) {
        assert.equal(riding.length, 0, cable.id)
        continue
      }
      assert.equal(riding.length, points.size - 1, cable.id)
      const reached = new Set([riding[0]!.a])
      for (let grew = true; grew; ) {
        grew = false
        for (const l of riding) {
          assert.ok(points.has(l.a) && points.has(l.b), `${l.id} is off ${cable.id}`)
          if (reached.has(l.a) !== reached.has(l.b)) {
            reached.add(l.a).add(l.b)
            grew = true
          }
        }
      }
      assert.equal(reached.size, points.size, `${cable.id} tree is not connected`)
    }
  })

  test('cutting a cable in a scenario takes down exactly the links that ride it', async () => {
    const file = join(DATA, 'submarine-cables.json')
    const s = await loadYaml(
      dir,
      `duration: 20s
topology:
  import:
    format: submarine-cables
    file: ${file}
    landingPoints:
      [tanshui-taiwan, toucheng-taiwan, fangshan-taiwan, pa-li-taiwan, batangas-philippines]
faults:
  - { at: 5s, cut: { cable: seamewe-3 } }
`,
    )
    const seamewe = cables.find((c) => c.id === 'seamewe-3')!
    const onCable = new Set(seamewe.landing_points.map((p) => p.id))
    const cut = s.timeline[0]
    assert.ok(cut?.kind === 'cut')
    const expected = s.links.filter((l) => l.cables.includes('seamewe-3')).map((l) => l.id)
    assert.deepEqual(cut.links, expected)
    const selectedOnCable = s.nodes.filter((n) => onCable.has(n.id)).length
    assert.equal(cut.links.length, selectedOnCable - 1)
    for (const id of cut.links) {
      const link = s.links.find((l) => l.id === id)!
      assert.ok(onCable.has(link.a) && onCable.has(link.b))
    }
  })

  test('unknown countries and landing points are refused by path', () => {
    const result = parseSubmarine(json, {
      countries: ['Taiwan', 'Atlantis'],
      landingPoints: ['nowhere'],
    })
    assert.ok(!result.ok)
    assert.deepEqual(
      result.problems.map((p) => p.path),
      ['topology.import.countries[1]', 'topology.import.landingPoints[0]'],
    )
    const none = parseSubmarine(json, {})
    assert.ok(!none.ok)
    assert.match(none.problems[0]!.message, /countries or landingPoints/)
  })

  test('a selection too large to run is refused with the gateway count and the limit', async () => {
    const japan = new Set(
      cables.flatMap((c) =>
        c.landing_points.filter((p) => countryOf(p.name) === 'Japan').map((p) => p.id),
      ),
    )
    const yaml = `duration: 20s
topology:
  import:
    format: submarine-cables
    file: '\${shared}/data/submarine-cables.json'
    countries: [Japan]
`
    await assert.rejects(loadYaml(dir, yaml, { maxGateways: 10 }), (err: Error) => {
      assert.match(err.message, new RegExp(`would start ${japan.size} `))
      assert.match(err.message, /at most 10 gateways/)
      return true
    })
  })
})
