import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard'

/** One PromQL query of a dashboard panel, with enough context to name it in a failure. */
export interface PanelQuery {
  dashboard: string
  panel: string
  refId: string
  expr: string
  /** The panel's data source reference, e.g. `{ type: 'prometheus', uid: '${datasource}' }`. */
  panelDatasource: unknown
  /** The query's own data source reference. */
  datasource: unknown
}

/** A template variable that runs a query against the data source. */
export interface VariableQuery {
  dashboard: string
  name: string
  query: string
  datasource: unknown
}

/** The parts of a panel's JSON that tests and tools read. */
export interface JsonPanel {
  id?: number
  title?: string
  description?: string
  type?: string
  gridPos?: { x?: number; y?: number; w?: number; h?: number }
  fieldConfig?: { defaults?: { unit?: string } }
  datasource?: unknown
  targets?: Array<{ refId?: string; expr?: string; datasource?: unknown }>
  panels?: JsonPanel[]
}

/**
 * Every panel query of a dashboard, read from its JSON (generated or committed),
 * including panels nested in collapsed rows.
 */
export function panelQueries(dashboard: Dashboard): PanelQuery[] {
  const out: PanelQuery[] = []
  for (const panel of allPanels(dashboard)) {
    for (const target of panel.targets ?? []) {
      out.push({
        dashboard: dashboard.title ?? '',
        panel: panel.title ?? '(untitled)',
        refId: target.refId ?? '',
        expr: target.expr ?? '',
        panelDatasource: panel.datasource,
        datasource: target.datasource,
      })
    }
  }
  return out
}

/** Every panel that is not a row, including panels nested in collapsed rows. */
export function allPanels(dashboard: Dashboard): JsonPanel[] {
  const out: JsonPanel[] = []
  const visit = (panels: JsonPanel[]) => {
    for (const panel of panels) {
      if (panel.type === 'row') visit(panel.panels ?? [])
      else out.push(panel)
    }
  }
  visit((dashboard.panels ?? []) as JsonPanel[])
  return out
}

/** The query variables of a dashboard (`label_values(...)` and the like). */
export function variableQueries(dashboard: Dashboard): VariableQuery[] {
  return (dashboard.templating?.list ?? [])
    .filter((variable) => variable.type === 'query')
    .map((variable) => ({
      dashboard: dashboard.title ?? '',
      name: variable.name,
      query: typeof variable.query === 'string' ? variable.query : JSON.stringify(variable.query),
      datasource: variable.datasource,
    }))
}
