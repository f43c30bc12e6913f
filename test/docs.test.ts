// The docs are part of the contract: every metric the agent can emit is in docs/metrics.md,
// every flag and environment variable in docs/config.md.
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { FLAGS, METRIC_GROUPS } from '../agent/config.js'
import { allMetrics } from '../agent/expose/metric-names.js'

const root = fileURLToPath(new URL('..', import.meta.url))
const metricsDoc = readFileSync(`${root}/docs/metrics.md`, 'utf8')
const configDoc = readFileSync(`${root}/docs/config.md`, 'utf8')

t.test('every metric is documented', async (t) => {
  const metrics = allMetrics()
  t.ok(metrics.length > 50, `the table has ${metrics.length} metrics`)
  for (const m of metrics) t.ok(metricsDoc.includes(`\`${m.name}\``), `${m.name} is in docs/metrics.md`)
  for (const group of METRIC_GROUPS) t.ok(metricsDoc.includes(`| \`${group}\` |`), `group ${group} is in docs/metrics.md`)
})

t.test('every flag is documented', async (t) => {
  for (const f of FLAGS) {
    t.match(configDoc, new RegExp(`\`--${f.name}[ \`]`), `--${f.name} is in docs/config.md`)
    for (const e of f.env) t.ok(configDoc.includes(`\`${e}\``), `${e} is in docs/config.md`)
  }
})
