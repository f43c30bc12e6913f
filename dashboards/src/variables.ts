// The template variables both dashboards share: data source, then cluster → node →
// namespace → pod → container, each query narrowed by the ones before it.
import { DatasourceVariableBuilder, QueryVariableBuilder, VariableRefresh, VariableSort } from '@grafana/grafana-foundation-sdk/dashboard'
import type { DataSourceRef } from '@grafana/grafana-foundation-sdk/common'

/** Every panel, annotation and variable queries the data source the user picked. */
export const DATASOURCE: DataSourceRef = { type: 'prometheus', uid: '${datasource}' }

export interface VariableChoice {
  /** Several values at once, and an "All" that becomes `.*`. */
  readonly multi: boolean
}

const ALL = { text: 'All', value: '$__all' }

function labelValues(name: string, label: string, query: string, { multi }: VariableChoice): QueryVariableBuilder {
  const variable = new QueryVariableBuilder(name)
    .label(label)
    .datasource(DATASOURCE)
    .query(query)
    .definition(query)
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .sort(VariableSort.AlphabeticalAsc)
    .multi(multi)
    .includeAll(multi)
  // `.*` rather than Grafana's default (every value joined by |): it also matches series
  // without the label, and stays short on clusters with thousands of pods.
  return multi ? variable.allValue('.*').current(ALL) : variable
}

const datasource = (): DatasourceVariableBuilder => new DatasourceVariableBuilder('datasource').label('Data source').type('prometheus')

// memlens_build_info is one series per agent, so these two lists are cheap to fetch.
// `cluster` comes from Prometheus' external labels (Thanos, Mimir, federation) and is absent
// on a single Prometheus: "All" then matches everything.
const cluster = (): QueryVariableBuilder => labelValues('cluster', 'Cluster', 'label_values(memlens_build_info, cluster)', { multi: true })

// `node` is added by the ServiceMonitor's relabeling (manifests/components/prometheus-operator).
const node = (): QueryVariableBuilder =>
  labelValues('node', 'Node', 'label_values(memlens_build_info{cluster=~"$cluster"}, node)', { multi: true })

const USAGE = 'memlens_container_memory_usage_bytes'

const namespace = (choice: VariableChoice): QueryVariableBuilder =>
  labelValues('namespace', 'Namespace', `label_values(${USAGE}{cluster=~"$cluster", node=~"$node"}, namespace)`, choice)

const pod = (choice: VariableChoice): QueryVariableBuilder =>
  labelValues('pod', 'Pod', `label_values(${USAGE}{cluster=~"$cluster", node=~"$node", namespace=~"$namespace"}, pod)`, choice)

const container = (): QueryVariableBuilder =>
  labelValues(
    'container',
    'Container',
    `label_values(${USAGE}{cluster=~"$cluster", node=~"$node", namespace=~"$namespace", ` + 'pod=~"$pod", container!="POD"}, container)',
    { multi: true },
  )

/**
 * The six variables in the order Grafana shows them. The overview lets every level be "All";
 * the pod dashboard is about one pod, so namespace and pod take a single value there.
 */
export const variables = (scope: 'overview' | 'pod'): Array<DatasourceVariableBuilder | QueryVariableBuilder> => {
  const choice = { multi: scope === 'overview' }
  return [datasource(), cluster(), node(), namespace(choice), pod(choice), container()]
}
