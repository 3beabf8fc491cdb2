import { z } from 'zod'
import { parseDuration, parseRatio, parseSize } from '../core/units.ts'

/** A value in human units (`10s`, `1MiB`, `20%`) with a default, converted by `parse`. */
const unit = (parse: (input: string | number) => number) => (fallback: string) =>
  z
    .union([z.string(), z.number()])
    .default(fallback)
    .transform((value, ctx) => {
      try {
        return parse(value)
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message })
        return z.NEVER
      }
    })

const duration = unit(parseDuration)
const size = unit(parseSize)
const ratio = unit(parseRatio)

/** A roster member name: `agency/subsystem` style, letters, digits and `._:/-`. */
export const memberName = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$/,
    'expected a member name such as ee/gov/70000001/records',
  )

const multiaddr = z.string().regex(/^\//, 'expected a multiaddr such as /ip4/127.0.0.1/tcp/4001')

const neighbour = z.strictObject({
  /** Roster name of the neighbour. */
  name: memberName,
  /** Its libp2p peer id; looked up in the roster when omitted. */
  peerId: z.string().optional(),
  /** Where to dial it. In `dht` discovery these are a starting point; in `static` the only ones. */
  addresses: z.array(multiaddr).default([]),
})

const service = z.strictObject({
  /** Service name other members address messages to. */
  name: z.string().regex(/^[A-Za-z0-9._-]{1,128}$/, 'expected a service name such as records'),
  /** Local URL the gateway POSTs each arriving message to. */
  url: z.url(),
  /** How long one delivery attempt may take. */
  timeout: duration('10s'),
})

const apiToken = z.strictObject({
  /** The client system this token belongs to (shown in logs). */
  client: z.string().min(1),
  /** Hex SHA-256 of the bearer token; the token itself is never stored. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'expected 64 lowercase hex characters'),
})

export const configSchema = z.strictObject({
  /** This gateway's roster name. */
  name: memberName,
  /**
   * Data directory: identity key, store, roster copy. Relative paths resolve from the
   * config file.
   */
  dataDir: z.string().default('.'),
  /** libp2p listen addresses. */
  listen: z.array(multiaddr).default(['/ip4/0.0.0.0/tcp/4001']),
  /** Addresses to announce instead of the listen addresses (NAT, proxies). */
  announce: z.array(multiaddr).default([]),
  /**
   * `static`: dial only the configured neighbour addresses and never use the DHT to
   * find others (segregated networks, drills). `dht`: also look members up in the
   * private DHT when their configured addresses fail.
   */
  discovery: z.enum(['static', 'dht']).default('dht'),
  neighbours: z.array(neighbour).default([]),
  /** Signed roster file (the federation's global configuration). */
  roster: z.string().default('roster.json'),
  /** The federation authority's Ed25519 public key, base64 of the raw 32 bytes. */
  authorityKey: z
    .string()
    .refine((v) => /^[A-Za-z0-9+/]{43}=$/.test(v) && Buffer.from(v, 'base64').length === 32, {
      message: 'expected the authority public key: base64 of 32 bytes (lifeline authority init)',
    }),
  /** Pre-shared key file that walls the overlay off (libp2p private network). */
  pnetKey: z.string().optional(),
  api: z
    .strictObject({
      host: z.string().default('127.0.0.1'),
      port: z.number().int().min(0).max(65535).default(8080),
      /** Bearer tokens of client systems. With none, the API is open to whoever can reach it. */
      tokens: z.array(apiToken).default([]),
    })
    .prefault({}),
  services: z.array(service).default([]),
  store: z
    .strictObject({
      /** Most messages held at once (queued plus awaiting local delivery). */
      maxMessages: z.number().int().positive().default(1_000_000),
      /** Most bytes held at once. */
      maxBytes: size('1GiB'),
      /** Longest a commit waits for others to share its fsync. */
      groupCommitWindow: duration('2ms'),
    })
    .prefault({}),
  messages: z
    .strictObject({
      /** Largest payload accepted from a client. */
      maxPayload: size('1MiB'),
      /** Time-to-live when the client gives none. */
      defaultTtl: duration('24h'),
      /** Longest time-to-live a client may ask for. */
      maxTtl: duration('30d'),
      /** Hop limit written into new envelopes. */
      maxHops: z.number().int().min(1).max(64).default(16),
    })
    .prefault({}),
  retry: z
    .strictObject({
      /** First retry delay after a failed transfer or delivery. */
      initial: duration('200ms'),
      /** Ceiling of the exponential backoff. */
      max: duration('30s'),
      /** Random spread applied to each delay, as a fraction. */
      jitter: ratio('20%'),
    })
    .prefault({}),
  link: z
    .strictObject({
      /**
       * Probe interval per neighbour. Each probe is one small frame each way
       * (about 60 bytes on the wire with framing and encryption).
       */
      probeInterval: duration('100ms'),
      /** A link with no answer to probes for this long is declared down (blackhole detection). */
      downAfter: duration('600ms'),
    })
    .prefault({}),
  routing: z
    .strictObject({
      /** Node-disjoint paths computed per destination. */
      paths: z.number().int().min(1).max(8).default(3),
      /** Cost added per unit of loss ratio (a 10% lossy 5 ms link costs 5 + 0.1 * lossPenalty). */
      lossPenalty: z.number().nonnegative().default(1000),
    })
    .prefault({}),
  /** How long after the roster's valid-until the gateway keeps accepting new work. */
  rosterGrace: duration('7d'),
  log: z
    .strictObject({
      level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    })
    .prefault({}),
})

/** Settings that are each valid alone but contradict one another. */
export const consistentConfig = configSchema.superRefine((c, ctx) => {
  const problem = (path: string[], message: string) =>
    ctx.addIssue({ code: 'custom', path, message })
  if (c.messages.defaultTtl > c.messages.maxTtl) {
    problem(['messages', 'defaultTtl'], 'must not exceed messages.maxTtl')
  }
  if (c.retry.initial > c.retry.max) problem(['retry', 'initial'], 'must not exceed retry.max')
  if (c.link.probeInterval <= 0) problem(['link', 'probeInterval'], 'must be above 0')
  if (c.link.downAfter <= c.link.probeInterval) {
    problem(['link', 'downAfter'], 'must be longer than link.probeInterval')
  }
})

/** The validated configuration, with units converted: durations in ms, sizes in bytes. */
export type Config = z.output<typeof configSchema>
export type ConfigInput = z.input<typeof configSchema>
