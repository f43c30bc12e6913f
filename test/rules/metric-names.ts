// The metric names docs/metrics.md promises, read from its tables: the one list rules and
// dashboards may name. The lead is moving these names into one table in code; point
// documentedMetricNames() at it then, and keep the docs check in test/docs.test.ts.
import { allMetrics } from '../../agent/expose/metric-names.js'
import { repoRoot } from './rules-file.js'

export const METRICS_DOC = `${repoRoot}docs/metrics.md`

/** Series Prometheus makes itself for every target. */
export const PROMETHEUS_METRICS: ReadonlySet<string> = new Set(['up', 'scrape_duration_seconds', 'scrape_samples_scraped'])

// The per-cgroup table names each family once, after a prefix its header spells out.
const PER_CGROUP_HEADER = /after `memlens_container_` \/ `memlens_pod_`/
const PER_CGROUP_PREFIXES = ['memlens_container_', 'memlens_pod_'] as const

/** Backticked names in the first cell of each table row of a metrics.md text. */
export function parseMetricNames(markdown: string): Set<string> {
  const names = new Set<string>()
  let perCgroup = false
  let inTable = false
  for (const line of markdown.split('\n')) {
    if (!line.startsWith('|')) {
      inTable = false
      continue
    }
    if (!inTable) {
      // A table's first row is its header.
      inTable = true
      perCgroup = PER_CGROUP_HEADER.test(line)
      continue
    }
    const firstCell = line.split('|')[1] ?? ''
    for (const m of firstCell.matchAll(/`([a-z_][a-z0-9_]*)`/g)) {
      const name = m[1]
      if (name === undefined) continue
      if (perCgroup) for (const prefix of PER_CGROUP_PREFIXES) names.add(prefix + name)
      else if (name.startsWith('memlens_')) names.add(name)
    }
  }
  return names
}

/** Every metric the agent can serve, from the one table in code (expose/metric-names.ts). */
export function documentedMetricNames(): ReadonlySet<string> {
  return new Set(allMetrics().map((m) => m.name))
}
