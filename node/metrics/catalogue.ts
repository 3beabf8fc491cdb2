import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client'

/**
 * Every metric the gateway exports. Names follow Prometheus conventions:
 * `lifeline_` prefix, base units (seconds, bytes), `_total` on counters.
 * Labels are bounded by the roster (peer, destination) or by fixed enums
 * (priority, reason, kind); never a message id.
 */
export function createMetrics(registry = new Registry()) {
  collectDefaultMetrics({ register: registry })
  const r = [registry]
  return {
    registry,
    accepted: new Counter({
      name: 'lifeline_messages_accepted_total',
      help: 'Messages accepted from local clients (answered 202)',
      labelNames: ['priority'],
      registers: r,
    }),
    forwarded: new Counter({
      name: 'lifeline_messages_forwarded_total',
      help: 'Envelopes whose custody a next hop acknowledged',
      labelNames: ['kind'],
      registers: r,
    }),
    delivered: new Counter({
      name: 'lifeline_messages_delivered_total',
      help: 'Messages handed to a local service that answered 2xx',
      labelNames: ['priority'],
      registers: r,
    }),
    receipts: new Counter({
      name: 'lifeline_receipts_received_total',
      help: 'Receipts received for messages this gateway sent, by outcome',
      labelNames: ['outcome'],
      registers: r,
    }),
    expired: new Counter({
      name: 'lifeline_messages_expired_total',
      help: 'Messages whose time-to-live passed before delivery, by where they were',
      labelNames: ['place'],
      registers: r,
    }),
    rejected: new Counter({
      name: 'lifeline_messages_rejected_total',
      help: 'Messages or envelopes refused, by reason code',
      labelNames: ['reason'],
      registers: r,
    }),
    duplicates: new Counter({
      name: 'lifeline_duplicates_suppressed_total',
      help: 'Envelopes dropped because their id had been seen before',
      registers: r,
    }),
    custodyIn: new Counter({
      name: 'lifeline_custody_accepted_total',
      help: 'Envelopes this gateway took custody of from a previous hop',
      registers: r,
    }),
    custodyRetries: new Counter({
      name: 'lifeline_custody_retries_total',
      help: 'Transfers or local deliveries retried after a failure',
      labelNames: ['stage'],
      registers: r,
    }),
    queueMessages: new Gauge({
      name: 'lifeline_queue_messages',
      help: 'Messages waiting to be forwarded, per destination and priority',
      labelNames: ['destination', 'priority'],
      registers: r,
    }),
    queueBytes: new Gauge({
      name: 'lifeline_queue_bytes',
      help: 'Bytes waiting to be forwarded, per destination and priority',
      labelNames: ['destination', 'priority'],
      registers: r,
    }),
    inboundMessages: new Gauge({
      name: 'lifeline_inbound_messages',
      help: 'Messages arrived here and waiting for the local service',
      registers: r,
    }),
    deliveryLatency: new Histogram({
      name: 'lifeline_delivery_latency_seconds',
      help: 'Time from creation at the source to acceptance by the local service',
      labelNames: ['priority'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 3600],
      registers: r,
    }),
    storeSyncs: new Counter({
      name: 'lifeline_store_syncs_total',
      help: 'Synced (fsync) commits of the custody store',
      registers: r,
    }),
    storeCommits: new Counter({
      name: 'lifeline_store_commits_total',
      help: 'Commit requests to the custody store; divided by syncs gives the group-commit factor',
      registers: r,
    }),
    storeMessages: new Gauge({
      name: 'lifeline_store_messages',
      help: 'Messages held in the custody store',
      registers: r,
    }),
    storeBytes: new Gauge({
      name: 'lifeline_store_bytes',
      help: 'Bytes of messages held in the custody store',
      registers: r,
    }),
    storeQuotaBytes: new Gauge({
      name: 'lifeline_store_quota_bytes',
      help: 'Byte quota of the custody store',
      registers: r,
    }),
    storeDiskBytes: new Gauge({
      name: 'lifeline_store_disk_bytes',
      help: 'Size of the store directory on disk',
      registers: r,
    }),
    quarantined: new Counter({
      name: 'lifeline_store_quarantined_total',
      help: 'Corrupt records moved to quarantine',
      registers: r,
    }),
    linkUp: new Gauge({
      name: 'lifeline_link_up',
      help: '1 when the link to a neighbour answers probes, else 0',
      labelNames: ['peer'],
      registers: r,
    }),
    linkRtt: new Gauge({
      name: 'lifeline_link_rtt_seconds',
      help: 'Smoothed probe round-trip time to a neighbour',
      labelNames: ['peer'],
      registers: r,
    }),
    linkLoss: new Gauge({
      name: 'lifeline_link_loss_ratio',
      help: 'Fraction of recent probes to a neighbour that went unanswered',
      labelNames: ['peer'],
      registers: r,
    }),
    linkThroughput: new Gauge({
      name: 'lifeline_link_throughput_bytes_per_second',
      help: 'Recent payload throughput to a neighbour',
      labelNames: ['peer'],
      registers: r,
    }),
    linkTransitions: new Counter({
      name: 'lifeline_link_transitions_total',
      help: 'Link state changes, by new state',
      labelNames: ['peer', 'state'],
      registers: r,
    }),
    routesAvailable: new Gauge({
      name: 'lifeline_routes_available',
      help: 'Node-disjoint paths currently known to a destination',
      labelNames: ['destination'],
      registers: r,
    }),
    routeChanges: new Counter({
      name: 'lifeline_route_changes_total',
      help: 'Times the best next hop to a destination changed',
      labelNames: ['destination'],
      registers: r,
    }),
    rosterVersion: new Gauge({
      name: 'lifeline_roster_version',
      help: 'Version of the roster in force',
      registers: r,
    }),
    rosterValidUntil: new Gauge({
      name: 'lifeline_roster_valid_until_seconds',
      help: 'Unix time at which the roster in force stops being valid',
      registers: r,
    }),
    rosterIssued: new Gauge({
      name: 'lifeline_roster_issued_seconds',
      help: 'Unix time at which the roster in force was issued',
      registers: r,
    }),
    rosterStale: new Gauge({
      name: 'lifeline_roster_stale',
      help: '1 when the roster is past valid-until (grace period or beyond), else 0',
      registers: r,
    }),
  }
}

export type Metrics = ReturnType<typeof createMetrics>
