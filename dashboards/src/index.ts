import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard'
import { drill } from './drill.ts'
import { gatewayDetail } from './gateway-detail.ts'
import { meshOverview } from './mesh-overview.ts'

/** A dashboard as Grafana reads it, with the file it is committed as under `generated/`. */
export interface GeneratedDashboard {
  file: string
  dashboard: Dashboard
}

/** Builds every dashboard, in a stable order, ready to be serialised. */
export function buildDashboards(): GeneratedDashboard[] {
  return [
    { file: 'mesh-overview.json', dashboard: withPanelIds(meshOverview().build()) },
    { file: 'gateway-detail.json', dashboard: withPanelIds(gatewayDetail().build()) },
    { file: 'drill.json', dashboard: withPanelIds(drill().build()) },
  ]
}

/** The exact text committed for a dashboard, so the build and the staleness test agree. */
export function serialise(dashboard: Dashboard): string {
  return `${JSON.stringify(dashboard, null, 2)}\n`
}

/**
 * Numbers panels 1..n in layout order. The builder leaves ids unset, and Grafana
 * needs them stable to keep links to a single panel (`viewPanel=`) working.
 */
function withPanelIds(dashboard: Dashboard): Dashboard {
  let next = 1
  for (const panel of dashboard.panels ?? []) {
    panel.id = next++
  }
  return dashboard
}
