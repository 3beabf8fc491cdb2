import {
  DashboardBuilder,
  DashboardCursorSync,
  QueryVariableBuilder,
  RowBuilder,
  VariableRefresh,
  VariableSort,
} from '@grafana/grafana-foundation-sdk/dashboard'
import { DATASOURCE, datasourceVariable, lifelineLinks, stat, timeSeries, UNIT } from './panels.ts'

/** Label matcher every query of this dashboard carries. */
const GW = 'gateway="$gateway"'

const rate = (metric: string) => `rate(${metric}{${GW}}[$__rate_interval])`

/**
 * One gateway in depth, picked with the `gateway` variable: its custody queues,
 * transfers and retries, the links to each neighbour, the paths it knows, its
 * store and the Node.js process itself.
 */
export function gatewayDetail(): DashboardBuilder {
  return new DashboardBuilder('Lifeline / Gateway detail')
    .uid('lifeline-gateway-detail')
    .description('Queues, custody, links, paths, store and process of one gateway')
    .tags(['lifeline', 'generated'])
    .time({ from: 'now-30m', to: 'now' })
    .refresh('10s')
    .tooltip(DashboardCursorSync.Crosshair)
    .readonly()
    .link(lifelineLinks())
    .withVariable(datasourceVariable())
    .withVariable(gatewayVariable())
    .withRow(new RowBuilder('Queues and custody'))
    .withPanel(queuesByPriority())
    .withPanel(queueBytesByDestination())
    .withPanel(custodyTransfers())
    .withPanel(custodyRetries())
    .withPanel(receipts())
    .withPanel(deliveryLatency())
    .withRow(new RowBuilder('Links and paths'))
    .withPanel(linkRtt())
    .withPanel(linkLoss())
    .withPanel(pathsPerDestination())
    .withPanel(linkThroughput())
    .withPanel(linkTransitions())
    .withRow(new RowBuilder('Store'))
    .withPanel(storeDisk())
    .withPanel(groupCommit())
    .withPanel(storeQuota())
    .withPanel(storeMessages())
    .withRow(new RowBuilder('Process'))
    .withPanel(eventLoopLag())
    .withPanel(memory())
}

function gatewayVariable(): QueryVariableBuilder {
  return new QueryVariableBuilder('gateway')
    .label('Gateway')
    .description('Gateway (scrape target label `gateway`)')
    .datasource(DATASOURCE)
    .query('label_values(lifeline_roster_version, gateway)')
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .sort(VariableSort.AlphabeticalAsc)
}

function queuesByPriority() {
  return timeSeries({
    title: 'Queued messages by priority',
    description:
      'Messages in this gateway’s outbound custody queues (all destinations), per priority ' +
      'class, plus arrived messages still waiting for the local service to take them',
    unit: UNIT.count,
    min: 0,
    queries: [
      {
        expr: `sum by (priority) (lifeline_queue_messages{${GW}})`,
        legend: '{{priority}}',
      },
      { expr: `lifeline_inbound_messages{${GW}}`, legend: 'awaiting local delivery' },
    ],
  })
}

function queueBytesByDestination() {
  return timeSeries({
    title: 'Queued bytes by destination',
    description: 'Bytes waiting to be forwarded from this gateway, per destination',
    unit: UNIT.bytes,
    min: 0,
    stacked: true,
    queries: [
      {
        expr: `sum by (destination) (lifeline_queue_bytes{${GW}})`,
        legend: '{{destination}}',
      },
    ],
  })
}

function custodyTransfers() {
  return timeSeries({
    title: 'Custody transfers',
    description:
      'Envelopes a next hop acknowledged (custody handed on, by envelope kind), envelopes ' +
      'taken into custody from previous hops, and duplicate copies dropped by id',
    unit: UNIT.perSecond,
    min: 0,
    queries: [
      {
        expr: `sum by (kind) (${rate('lifeline_messages_forwarded_total')})`,
        legend: 'handed on: {{kind}}',
      },
      { expr: rate('lifeline_custody_accepted_total'), legend: 'taken in' },
      { expr: rate('lifeline_duplicates_suppressed_total'), legend: 'duplicates dropped' },
    ],
  })
}

function custodyRetries() {
  return timeSeries({
    title: 'Custody retries',
    description:
      'Transfers to a next hop and deliveries to the local service that failed and were ' +
      'scheduled again with backoff, by stage. Persistent retries point at a sick neighbour ' +
      'or a local service that is down.',
    unit: UNIT.perSecond,
    min: 0,
    queries: [
      {
        expr: `sum by (stage) (${rate('lifeline_custody_retries_total')})`,
        legend: '{{stage}}',
      },
    ],
  })
}

function receipts() {
  return timeSeries({
    title: 'Receipts by outcome',
    description:
      'Signed receipts coming back for messages this gateway sent: proof that the ' +
      'destination delivered them, or its reason for refusing',
    unit: UNIT.perSecond,
    min: 0,
    queries: [
      {
        expr: `sum by (outcome) (${rate('lifeline_receipts_received_total')})`,
        legend: '{{outcome}}',
      },
    ],
  })
}

function deliveryLatency() {
  return timeSeries({
    title: 'Delivery latency at this gateway',
    description:
      '95th percentile of the time from creation at the source to acceptance by a local ' +
      'service here, per priority',
    unit: UNIT.seconds,
    min: 0,
    queries: [
      {
        expr:
          'histogram_quantile(0.95, sum by (le, priority) ' +
          `(${rate('lifeline_delivery_latency_seconds_bucket')}))`,
        legend: '{{priority}}',
      },
    ],
  })
}

function linkRtt() {
  return timeSeries({
    title: 'Link RTT per neighbour',
    description: 'Smoothed probe round-trip time to each neighbour; one input to path cost',
    unit: UNIT.seconds,
    min: 0,
    queries: [{ expr: `lifeline_link_rtt_seconds{${GW}}`, legend: '{{peer}}' }],
  })
}

function linkLoss() {
  return timeSeries({
    title: 'Probe loss per neighbour',
    description:
      'Share of recent probes to each neighbour left unanswered. Loss raises a link’s cost ' +
      '(routing.lossPenalty); total loss for link.downAfter declares it down.',
    unit: UNIT.ratio,
    min: 0,
    queries: [{ expr: `lifeline_link_loss_ratio{${GW}}`, legend: '{{peer}}' }],
  })
}

function pathsPerDestination() {
  return timeSeries({
    title: 'Paths per destination',
    description:
      'Node-disjoint paths this gateway knows to each destination. 1 means no failover is ' +
      'left; 0 means messages for that destination wait in the store.',
    unit: UNIT.count,
    min: 0,
    queries: [{ expr: `lifeline_routes_available{${GW}}`, legend: '{{destination}}' }],
  })
}

function linkThroughput() {
  return timeSeries({
    title: 'Link throughput',
    description: 'Recent payload throughput to each neighbour',
    unit: UNIT.bytesPerSecond,
    min: 0,
    queries: [{ expr: `lifeline_link_throughput_bytes_per_second{${GW}}`, legend: '{{peer}}' }],
  })
}

function linkTransitions() {
  return timeSeries({
    title: 'Link state changes',
    description:
      'Links to neighbours going up or down, by new state. A steady rate of both is a ' +
      'flapping link.',
    unit: UNIT.perSecond,
    min: 0,
    width: 24,
    queries: [
      {
        expr: `sum by (peer, state) (${rate('lifeline_link_transitions_total')})`,
        legend: '{{peer}} {{state}}',
      },
    ],
  })
}

function storeDisk() {
  return timeSeries({
    title: 'Store disk usage',
    description:
      'Size of the store directory on disk, bytes of messages held, and the byte quota. ' +
      'At the quota the gateway refuses new work (STORE_FULL) and keeps what it has.',
    unit: UNIT.bytes,
    min: 0,
    queries: [
      { expr: `lifeline_store_disk_bytes{${GW}}`, legend: 'on disk' },
      { expr: `lifeline_store_bytes{${GW}}`, legend: 'messages held' },
      { expr: `lifeline_store_quota_bytes{${GW}}`, legend: 'quota' },
    ],
  })
}

function storeQuota() {
  return stat({
    title: 'Store quota used',
    description: 'Share of the byte quota taken by messages in custody',
    unit: UNIT.ratio,
    width: 6,
    queries: [
      {
        expr: `lifeline_store_bytes{${GW}} / lifeline_store_quota_bytes{${GW}}`,
        legend: 'used',
      },
    ],
  })
}

function groupCommit() {
  return timeSeries({
    title: 'Group commit',
    description:
      'Commit requests to the custody store and the fsyncs that made them durable. ' +
      'Commits per sync is how many acknowledgements share one disk flush.',
    unit: UNIT.perSecond,
    min: 0,
    queries: [
      { expr: rate('lifeline_store_commits_total'), legend: 'commits' },
      { expr: rate('lifeline_store_syncs_total'), legend: 'fsyncs' },
    ],
  })
}

function storeMessages() {
  return stat({
    title: 'Messages in custody',
    description: 'Messages held in the store: queued to forward plus awaiting local delivery',
    unit: UNIT.count,
    width: 6,
    queries: [{ expr: `lifeline_store_messages{${GW}}`, legend: 'held' }],
  })
}

function eventLoopLag() {
  return timeSeries({
    title: 'Event loop lag',
    description:
      'Delay of the Node.js event loop. Lag above link.probeInterval delays probes and can ' +
      'make healthy links look lossy.',
    unit: UNIT.seconds,
    min: 0,
    queries: [
      { expr: `nodejs_eventloop_lag_p99_seconds{${GW}}`, legend: 'p99' },
      { expr: `nodejs_eventloop_lag_mean_seconds{${GW}}`, legend: 'mean' },
    ],
  })
}

function memory() {
  return timeSeries({
    title: 'Memory',
    description: 'Resident set size of the gateway process and the V8 heap in use',
    unit: UNIT.bytes,
    min: 0,
    queries: [
      { expr: `process_resident_memory_bytes{${GW}}`, legend: 'resident' },
      { expr: `nodejs_heap_size_used_bytes{${GW}}`, legend: 'heap used' },
    ],
  })
}
