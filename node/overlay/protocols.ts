/** Protocol ids of the Lifeline overlay. The DHT runs under its own prefix so it never mixes with the public one. */
export const PROTOCOLS = {
  custody: '/lifeline/custody/1.0.0',
  control: '/lifeline/control/1.0.0',
  dht: '/lifeline/kad/1.0.0',
  identifyPrefix: '/lifeline',
} as const

/** Largest custody frame accepted from a peer (an encoded envelope plus framing). */
export const MAX_FRAME_BYTES = 8 * 1024 * 1024
