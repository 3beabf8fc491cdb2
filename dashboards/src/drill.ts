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
} from './panels.ts'

const rate = (metric: string) => `sum(rate(${metric}[$__rate_interval]))`

/**
 * A chaos drill as it runs: the faults the simulator has injected, traffic sent
 * against traffic delivered, what is still in flight, and the checker's running
 * tally of lost and duplicated messages. The `lifeline_drill_*` series come from
 * the simulator's own /metrics, listed in the same service-discovery file as the
 * gateways.
 */
export function drill(): DashboardBuilder {
  return new DashboardBuilder('Lifeline / Drill')
    .uid('lifeline-drill')
    .description('Faults, traffic and the running verdict of a chaos drill')
    .tags(['lifeline', 'drill', 'generated'])
    .time({ from: 'now-15m', to: 'now' })
    .refresh('5s')
    .tooltip(DashboardCursorSync.Crosshair)
    .readonly()
    .link(lifelineLinks())
    .withVariable(datasourceVariable())
    .withRow(new RowBuilder('Faults'))
    .withPanel(faults())
    .withRow(new RowBuilder('Traffic and verdict'))
    .withPanel(sentVersusDelivered())
    .withPanel(inFlight())
    .withPanel(tally())
    .withPanel(gatewaysRunning())
    .withPanel(backlogByGateway())
}

function faults() {
  return stateTimeline({
    title: 'Faults',
    description:
      'Each fault of the scenario timeline while it is in force: cuts (reset or blackhole), ' +
      'degradations, partitions and power losses, by target',
    unit: UNIT.state,
    width: 24,
    states: [
      { value: 0, text: 'clear', color: 'transparent' },
      { value: 1, text: 'active', color: 'orange' },
    ],
    queries: [{ expr: 'lifeline_drill_fault_active', legend: '{{kind}} {{target}}' }],
  })
}

function sentVersusDelivered() {
  return timeSeries({
    title: 'Sent vs delivered',
    description:
      'Messages the traffic generator submitted, the gateways accepted (202), and the ' +
      'destination services recorded. Recorded dipping under accepted during a fault is ' +
      'backlog, and must catch up once a path returns.',
    unit: UNIT.messagesPerSecond,
    min: 0,
    queries: [
      { expr: rate('lifeline_drill_messages_sent_total'), legend: 'sent' },
      { expr: rate('lifeline_drill_messages_accepted_total'), legend: 'accepted' },
      { expr: rate('lifeline_drill_messages_recorded_total'), legend: 'recorded' },
    ],
  })
}

function inFlight() {
  return timeSeries({
    title: 'In flight',
    description:
      'Accepted messages not yet recorded at their destination service: the backlog the ' +
      'mesh owes. It must drain to 0 by the end of the drill.',
    unit: UNIT.count,
    min: 0,
    queries: [{ expr: 'lifeline_drill_messages_in_flight', legend: 'in flight' }],
  })
}

function tally() {
  return stat({
    title: 'Checker tally',
    description:
      'The checker’s running count so far: messages lost (accepted, never delivered nor ' +
      'expired), duplicated (delivered twice) and unexpected (delivered, never sent). ' +
      'Anything but 0 fails the drill.',
    unit: UNIT.count,
    width: 8,
    queries: [
      { expr: 'lifeline_drill_messages_lost', legend: 'lost' },
      { expr: 'lifeline_drill_messages_duplicated', legend: 'duplicated' },
      { expr: 'lifeline_drill_messages_unexpected', legend: 'unexpected' },
    ],
  })
}

function gatewaysRunning() {
  return stat({
    title: 'Gateways running',
    description: 'Gateway processes the simulator has running; power-loss faults take one away',
    unit: UNIT.count,
    width: 4,
    queries: [{ expr: 'lifeline_drill_gateways_running', legend: 'running' }],
  })
}

function backlogByGateway() {
  return timeSeries({
    title: 'Backlog by gateway',
    description:
      'Messages waiting in each gateway’s custody queues, from the gateways’ own metrics; ' +
      'shows where the backlog sits while a fault lasts',
    unit: UNIT.count,
    min: 0,
    stacked: true,
    queries: [{ expr: 'sum by (gateway) (lifeline_queue_messages)', legend: '{{gateway}}' }],
  })
}
