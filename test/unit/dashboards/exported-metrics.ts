import { Registry } from 'prom-client'
import { createMetrics } from '../../../node/metrics/catalogue.ts'
import { createDrillMetrics } from '../../../simulator/runner/service-discovery.ts'

/** Series Prometheus adds to every scrape target by itself. */
export const SCRAPE_SERIES = [
  'up',
  'scrape_duration_seconds',
  'scrape_samples_scraped',
  'scrape_samples_post_metric_relabeling',
  'scrape_series_added',
]

/**
 * Series names a registry exposes: a histogram `x` is scraped as `x_bucket`,
 * `x_sum` and `x_count`, a summary as `x`, `x_sum` and `x_count`.
 */
export async function seriesNames(registry: Registry): Promise<Set<string>> {
  const names = new Set<string>()
  for (const metric of await registry.getMetricsAsJSON()) {
    const { name, type } = metric as unknown as { name: string; type: string }
    if (type === 'histogram') {
      for (const suffix of ['_bucket', '_sum', '_count']) names.add(name + suffix)
    } else {
      names.add(name)
      if (type === 'summary') for (const suffix of ['_sum', '_count']) names.add(name + suffix)
    }
  }
  return names
}

/** Everything a gateway's /metrics exposes, from the catalogue on a fresh registry. */
export async function gatewaySeries(): Promise<Set<string>> {
  return seriesNames(createMetrics(new Registry()).registry)
}

/** Only the `lifeline_*` series of the catalogue: the ones this project defines. */
export async function catalogueSeries(): Promise<Set<string>> {
  const all = await gatewaySeries()
  return new Set([...all].filter((name) => name.startsWith('lifeline_')))
}

/** The simulator's own series (`lifeline_drill_*`), which only the drill dashboard uses. */
export async function drillSeries(): Promise<Set<string>> {
  return seriesNames(createDrillMetrics(() => 0, new Registry()).registry)
}
