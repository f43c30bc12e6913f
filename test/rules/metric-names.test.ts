import t from 'tap'
import { documentedMetricNames, parseMetricNames } from './metric-names.js'

t.test('reads names from every table, expanding the per-cgroup rows', async (t) => {
  const names = parseMetricNames(`# Metrics

| name (after \`memlens_container_\` / \`memlens_pod_\`) | type |
|---|---|
| \`memory_dirty_bytes\` | gauge |

Text with \`memlens_not_in_a_table\`.

| name | type |
|---|---|
| \`memlens_collect_errors_total\` | counter |
| \`process_*\`, \`nodejs_*\` | various |

| group | what |
|---|---|
| \`memory\` | every family |
`)
  t.strictSame([...names].sort(), [
    'memlens_collect_errors_total',
    'memlens_container_memory_dirty_bytes',
    'memlens_pod_memory_dirty_bytes',
  ])
})

t.test('docs/metrics.md as it is', async (t) => {
  const names = documentedMetricNames()
  for (const name of [
    'memlens_container_memory_dirty_bytes',
    'memlens_pod_memory_limit_hits_total',
    'memlens_container_pressure_memory_stalled_seconds_total',
    'memlens_kubernetes_watch_up',
    'memlens_collect_last_timestamp_seconds',
    'memlens_container_info',
  ]) {
    t.ok(names.has(name), name)
  }
  t.notOk(names.has('memlens_container_memlens_pod_info'), 'only the per-cgroup table is expanded')
})
