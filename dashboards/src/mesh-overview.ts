import {
  DashboardBuilder,
  DashboardCursorSync,
  RowBuilder,
} from '@grafana/grafana-foundation-sdk/dashboard'
import {
  datasourceVariable,
  lifelineLinks,
  stat,
  stateTimeline,
  timeSeries,
  UNIT,
  UP_DOWN,
} from './panels.ts'

/** Every scrape target that is a gateway carries a `gateway` label (file_sd or compose). */
const GATEWAYS = 'up{gateway!=""}'

const latency = (quantile: number) =>
  `histogram_quantile(${quantile}, sum by (le) ` +
  '(rate(lifeline_delivery_latency_seconds_bucket[$__rate_interval])))'

/**
 * The whole federation on one screen: which gateways and links are up, how fast
 * messages flow end to end, where backlog builds, how often routes move, and
 * what is being expired or refused.
 */
export function meshOverview(): DashboardBuilder {
  return new DashboardBuilder('Lifeline / Mesh overview')
    .uid('lifeline-mesh-overview')
    .description('Health, traffic and backlog of every gateway in the overlay')
    .tags(['lifeline', 'generated'])
    .time({ from: 'now-30m', to: 'now' })
    .refresh('10s')
    .tooltip(DashboardCursorSync.Crosshair)
    .readonly()
    .link(lifelineLinks())
    .withVariable(datasourceVariable())
    .withRow(new RowBuilder('Health'))
    .withPanel(gatewaysUp())
    .withPanel(rosterAge())
    .withPanel(rosterVersion())
    .withPanel(gatewayAvailability())
    .withPanel(links())
    .withRow(new RowBuilder('Traffic'))
    .withPanel(messageRates())
    .withPanel(latencyPercentiles())
    .withPanel(backlog())
    .withPanel(routeChanges())
    .withPanel(expiredAndRejected())
}

function gatewaysUp() {
  return stat({
    title: 'Gateways up',
    description: 'Gateways whose /metrics answered the last scrape, out of all gateway targets',
    unit: UNIT.count,
    width: 8,
    height: 5,
    queries: [
      { expr: `sum(${GATEWAYS})`, legend: 'up' },
      { expr: `count(${GATEWAYS})`, legend: 'known' },
    ],
  })
}

function rosterAge() {
  return stat({
    title: 'Roster age',
    description:
      'Time since the roster in force was issued, per gateway. Gateways on an older roster ' +
      'than their neighbours have not received the newest signed roster yet.',
    unit: UNIT.duration,
    width: 8,
    height: 5,
    queries: [{ expr: 'time() - lifeline_roster_issued_seconds', legend: '{{gateway}}' }],
  })
}

function rosterVersion() {
  return stat({
    title: 'Roster version',
    description:
      'Version of the roster each gateway enforces; they should agree within minutes of a ' +
      'new roster being published',
    unit: UNIT.state,
    width: 8,
    height: 5,
    queries: [{ expr: 'lifeline_roster_version', legend: '{{gateway}}' }],
  })
}

function gatewayAvailability() {
  return stateTimeline({
    title: 'Gateway availability',
    description: 'Whether each gateway answered its scrape; red bands are outages or power losses',
    unit: UNIT.state,
    states: UP_DOWN,
    width: 12,
    queries: [{ expr: GATEWAYS, legend: '{{gateway}}' }],
  })
}

function links() {
  return stateTimeline({
    title: 'Links',
    description:
      'Each overlay link as seen from each end: up while probes are answered, down once ' +
      'they stop for link.downAfter (cut cable, blackholing firewall, dead neighbour)',
    unit: UNIT.state,
    states: UP_DOWN,
    width: 12,
    queries: [{ expr: 'lifeline_link_up', legend: '{{gateway}} → {{peer}}' }],
  })
}

function messageRates() {
  return timeSeries({
    title: 'Delivery rate',
    description:
      'Messages accepted from local clients, handed on to a next hop, and delivered to a ' +
      'local service, summed over the mesh. Delivered falling behind accepted means backlog.',
    unit: UNIT.messagesPerSecond,
    min: 0,
    queries: [
      {
        expr: 'sum(rate(lifeline_messages_accepted_total[$__rate_interval]))',
        legend: 'accepted',
      },
      {
        expr: 'sum(rate(lifeline_messages_forwarded_total[$__rate_interval]))',
        legend: 'forwarded',
      },
      {
        expr: 'sum(rate(lifeline_messages_delivered_total[$__rate_interval]))',
        legend: 'delivered',
      },
    ],
  })
}

function latencyPercentiles() {
  return timeSeries({
    title: 'Delivery latency',
    description:
      'Time from creation at the source to acceptance by the destination service, over all ' +
      'deliveries in the mesh. Store-and-forward makes the tail as long as the longest outage.',
    unit: UNIT.seconds,
    min: 0,
    queries: [
      { expr: latency(0.5), legend: 'p50' },
      { expr: latency(0.95), legend: 'p95' },
      { expr: latency(0.99), legend: 'p99' },
    ],
  })
}

function backlog() {
  return timeSeries({
    title: 'Backlog by destination',
    description:
      'Messages waiting in custody queues anywhere in the mesh, per destination. A rising ' +
      'line means that destination is unreachable or slower than its senders.',
    unit: UNIT.count,
    min: 0,
    stacked: true,
    queries: [
      { expr: 'sum by (destination) (lifeline_queue_messages)', legend: '{{destination}}' },
    ],
  })
}

function routeChanges() {
  return timeSeries({
    title: 'Route changes',
    description:
      'How often the best next hop towards a destination changed, per gateway. Bursts follow ' +
      'link failures and repairs; a steady rate means a flapping link.',
    unit: UNIT.perSecond,
    min: 0,
    queries: [
      {
        expr:
          'sum by (gateway, destination) ' +
          '(rate(lifeline_route_changes_total[$__rate_interval]))',
        legend: '{{gateway}} → {{destination}}',
      },
    ],
  })
}

function expiredAndRejected() {
  return timeSeries({
    title: 'Expired and rejected messages',
    description:
      'Messages whose time-to-live passed before delivery (by where they were waiting) and ' +
      'messages or envelopes refused (by reason code). Expired messages are reported to ' +
      'their senders; neither is ever lost silently.',
    unit: UNIT.messagesPerSecond,
    min: 0,
    width: 24,
    queries: [
      {
        expr: 'sum by (place) (rate(lifeline_messages_expired_total[$__rate_interval]))',
        legend: 'expired at {{place}}',
      },
      {
        expr: 'sum by (reason) (rate(lifeline_messages_rejected_total[$__rate_interval]))',
        legend: 'rejected: {{reason}}',
      },
    ],
  })
}
