import type * as cog from '@grafana/grafana-foundation-sdk/cog'
import {
  BigValueColorMode,
  BigValueGraphMode,
  type DataSourceRef,
  LegendDisplayMode,
  LegendPlacement,
  ReduceDataOptionsBuilder,
  SortOrder,
  StackingConfigBuilder,
  StackingMode,
  TooltipDisplayMode,
  VizLegendOptionsBuilder,
  VizTooltipOptionsBuilder,
} from '@grafana/grafana-foundation-sdk/common'
import {
  DashboardLinkBuilder,
  DashboardLinkType,
  DatasourceVariableBuilder,
  MappingType,
  type Panel,
  type ValueMapping,
} from '@grafana/grafana-foundation-sdk/dashboard'
import { DataqueryBuilder } from '@grafana/grafana-foundation-sdk/prometheus'
import { PanelBuilder as StatBuilder } from '@grafana/grafana-foundation-sdk/stat'
import { PanelBuilder as StateTimelineBuilder } from '@grafana/grafana-foundation-sdk/statetimeline'
import { PanelBuilder as TimeSeriesBuilder } from '@grafana/grafana-foundation-sdk/timeseries'

/** Name of the dashboard variable every panel and query takes its data source from. */
export const DATASOURCE_VARIABLE = 'datasource'

/** Reference to the Prometheus picked in the `datasource` variable. */
export const DATASOURCE: DataSourceRef = {
  type: 'prometheus',
  uid: `\${${DATASOURCE_VARIABLE}}`,
}

/** Grafana unit ids used here; `suffix:` units print the text after the value. */
export const UNIT = {
  count: 'short',
  messagesPerSecond: 'suffix: msg/s',
  perSecond: 'suffix: /s',
  seconds: 's',
  duration: 'dtdurations',
  bytes: 'bytes',
  bytesPerSecond: 'Bps',
  ratio: 'percentunit',
  state: 'none',
} as const

/** One PromQL query of a panel and how its series are named in the legend. */
export interface Query {
  expr: string
  legend: string
}

/** What every panel states: a title, what it shows and why, a unit, and its queries. */
export interface PanelSpec {
  title: string
  description: string
  unit: string
  queries: Query[]
  /** Grid columns out of 24. */
  width?: number
  /** Grid rows (30 px each). */
  height?: number
}

/** A state shown by a state timeline: the text and colour for one numeric value. */
export interface StateStyle {
  value: number
  text: string
  color: string
}

/** The `datasource` variable: a picker over the Prometheus data sources Grafana knows. */
export function datasourceVariable(): DatasourceVariableBuilder {
  return new DatasourceVariableBuilder(DATASOURCE_VARIABLE)
    .label('Data source')
    .type('prometheus')
    .description('Prometheus that scrapes the gateways (and, during a drill, the simulator)')
}

/** A drop-down to the other Lifeline dashboards, keeping the time range and data source. */
export function lifelineLinks(): DashboardLinkBuilder {
  return new DashboardLinkBuilder('Lifeline')
    .type(DashboardLinkType.Dashboards)
    .tags(['lifeline'])
    .asDropdown(true)
    .includeVars(true)
    .keepTime(true)
}

/** A line chart: rates, gauges and percentiles over time. */
export function timeSeries(
  spec: PanelSpec & { stacked?: boolean; min?: number },
): cog.Builder<Panel> {
  const panel = new TimeSeriesBuilder()
    .legend(legend())
    .tooltip(
      new VizTooltipOptionsBuilder().mode(TooltipDisplayMode.Multi).sort(SortOrder.Descending),
    )
    .fillOpacity(spec.stacked === true ? 30 : 8)
    .lineWidth(1)
  if (spec.stacked === true) panel.stacking(new StackingConfigBuilder().mode(StackingMode.Normal))
  if (spec.min !== undefined) panel.min(spec.min)
  return common(panel, spec)
}

/** A single figure per series: counts and ages an operator reads at a glance. */
export function stat(spec: PanelSpec): cog.Builder<Panel> {
  const panel = new StatBuilder()
    .graphMode(BigValueGraphMode.Area)
    .colorMode(BigValueColorMode.Value)
    .reduceOptions(new ReduceDataOptionsBuilder().calcs(['lastNotNull']))
  return common(panel, spec)
}

/** A band per series whose colour shows a discrete state over time (up/down, fault on/off). */
export function stateTimeline(spec: PanelSpec & { states: StateStyle[] }): cog.Builder<Panel> {
  const panel = new StateTimelineBuilder()
    .legend(legend())
    .mappings([stateMapping(spec.states)])
    .mergeValues(true)
    .fillOpacity(80)
    .lineWidth(0)
  return common(panel, spec)
}

/** Link and gateway states as the gauges export them: 1 is up, 0 is down. */
export const UP_DOWN: StateStyle[] = [
  { value: 0, text: 'down', color: 'red' },
  { value: 1, text: 'up', color: 'green' },
]

type AnyPanelBuilder = TimeSeriesBuilder | StatBuilder | StateTimelineBuilder

function common(panel: AnyPanelBuilder, spec: PanelSpec): cog.Builder<Panel> {
  panel
    .title(spec.title)
    .description(spec.description)
    .unit(spec.unit)
    .datasource(DATASOURCE)
    .span(spec.width ?? 12)
    .height(spec.height ?? 8)
  spec.queries.forEach((query, index) => {
    panel.withTarget(target(query, index))
  })
  return panel
}

function target(query: Query, index: number): DataqueryBuilder {
  return new DataqueryBuilder()
    .refId(String.fromCharCode(65 + index))
    .datasource(DATASOURCE)
    .expr(query.expr)
    .legendFormat(query.legend)
    .range()
}

function legend(): VizLegendOptionsBuilder {
  return new VizLegendOptionsBuilder()
    .showLegend(true)
    .displayMode(LegendDisplayMode.List)
    .placement(LegendPlacement.Bottom)
}

function stateMapping(states: StateStyle[]): ValueMapping {
  const options: Record<string, { text: string; color: string; index: number }> = {}
  states.forEach((state, index) => {
    options[String(state.value)] = { text: state.text, color: state.color, index }
  })
  return { type: MappingType.ValueToText, options }
}
