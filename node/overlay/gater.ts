import type { ConnectionGater, PeerId } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

/** What the gater asks of the gateway: the roster and the neighbour configuration decide. */
export interface AdmissionPolicy {
  /**
   * Peers allowed to hold a connection with us at all: roster members, and in static
   * mode only neighbours.
   */
  admits(peerId: string): boolean
  /**
   * In static mode only the configured neighbour addresses may be dialled, so a drill's
   * topology (or an agency's segregated network) is never bypassed by an address learnt
   * through identify or the DHT. Returns true when any address may be dialled.
   */
  mayDial(address: string): boolean
}

/** A libp2p connection gater that enforces an admission policy at every stage it can. */
export function rosterGater(policy: AdmissionPolicy): ConnectionGater {
  const denyPeer = (peerId: PeerId): boolean => !policy.admits(peerId.toString())
  return {
    denyDialPeer: denyPeer,
    denyDialMultiaddr: (ma: Multiaddr) => !policy.mayDial(ma.toString()),
    denyInboundEncryptedConnection: denyPeer,
    denyOutboundEncryptedConnection: denyPeer,
    denyInboundUpgradedConnection: denyPeer,
    denyOutboundUpgradedConnection: denyPeer,
  }
}
