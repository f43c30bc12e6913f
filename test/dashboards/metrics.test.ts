// Every metric a dashboard queries is one memlens serves (docs/metrics.md is the contract),
// a recording rule of rules/, or one issue 7 is adding.
import t from 'tap'
import { dashboards } from '../../dashboards/src/render.js'
import { queriesOf, readDashboard } from './dashboard-json.js'
import { documentedMetrics, metricNames, unknownMetrics, variableQueryMetrics } from './metric-names.js'

const documented = documentedMetrics()

for (const { file } of dashboards()) {
  t.test(file, async (t) => {
    for (const q of queriesOf(readDashboard(file))) {
      const names = q.kind === 'variable' ? variableQueryMetrics(q.query) : metricNames(q.query)
      t.not(names.length, 0, `${q.where} reads some metric`)
      t.strictSame(unknownMetrics(names, documented), [], `${q.where}: ${names.join(', ')}`)
    }
  })
}
