import { multiaddr } from '@multiformats/multiaddr'
import type { Config } from '../config/schema.ts'
import { LifelineError } from '../core/errors.ts'
import type { AdmissionPolicy } from '../overlay/gater.ts'
import type { Neighbour } from '../overlay/links.ts'
import type { Roster } from '../trust/roster.ts'

/** Configured neighbours with peer ids (from config or roster) and dial addresses. */
export function resolveNeighbours(config: Config, roster: Roster): Neighbour[] {
  return config.neighbours.map((n) => {
    const member = roster.member(n.name)
    const peerId = n.peerId ?? member?.peerId
    if (peerId === undefined) {
      throw new LifelineError(
        'INVALID_CONFIG',
        `neighbours: ${n.name} has no peerId and is not in roster v${roster.version}`,
      )
    }
    if (member !== undefined && member.peerId !== peerId) {
      throw new LifelineError(
        'INVALID_CONFIG',
        `neighbours: ${n.name} peerId ${peerId} differs from the roster's ${member.peerId}`,
      )
    }
    // Segregated (static) networks dial only what the config says; otherwise the roster helps.
    const fromRoster = config.discovery === 'dht' ? (member?.addresses ?? []) : []
    const addresses = n.addresses.length > 0 ? n.addresses : fromRoster
    return { name: n.name, peerId, addresses }
  })
}

function withoutPeer(address: string): string {
  try {
    const ma = multiaddr(address)
    const peer = ma.getComponents().findIndex((c) => c.name === 'p2p')
    return peer === -1 ? ma.toString() : multiaddr(ma.getComponents().slice(0, peer)).toString()
  } catch {
    return address
  }
}

/**
 * Only roster members get in. In static discovery only configured neighbours get
 * in, and only configured neighbour addresses are ever dialled.
 */
export function admissionPolicy(
  config: Config,
  neighbours: Neighbour[],
  roster: () => Roster,
): AdmissionPolicy {
  const isStatic = config.discovery === 'static'
  const neighbourPeers = new Set(neighbours.map((n) => n.peerId))
  const dialable = new Set(neighbours.flatMap((n) => n.addresses.map(withoutPeer)))
  return {
    admits: (peerId) => roster().isMemberPeer(peerId) && (!isStatic || neighbourPeers.has(peerId)),
    mayDial: (address) => !isStatic || dialable.has(withoutPeer(address)),
  }
}
