// The docs are part of the contract: every metric the agent can emit is in docs/metrics.md,
// every flag and environment variable in docs/config.md.
import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { FLAGS } from '../agent/config.js'
import { CGROUP_FAMILIES, CONTAINER_PREFIX, INFO_FAMILIES, METRIC_GROUPS, POD_PREFIX } from '../agent/metrics/families.js'
import { SELF_METRICS } from '../agent/metrics/self.js'

const root = fileURLToPath(new URL('..', import.meta.url))
const metricsDoc = readFileSync(`${root}/docs/metrics.md`, 'utf8')
const configDoc = readFileSync(`${root}/docs/config.md`, 'utf8')

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(`${dir}/${e.name}`) : e.name.endsWith('.ts') ? [`${dir}/${e.name}`] : [],
  )
}

t.test('every metric is documented', async (t) => {
  const names = new Set<string>()
  for (const f of CGROUP_FAMILIES) {
    names.add(CONTAINER_PREFIX + f.suffix)
    names.add(POD_PREFIX + f.suffix)
  }
  for (const f of Object.values(INFO_FAMILIES)) names.add(f.name)
  for (const n of Object.values(SELF_METRICS)) names.add(n)
  // Names spelled out anywhere in the source (the Kubernetes watch's own metrics, say).
  for (const file of sourceFiles(`${root}/agent`)) {
    for (const m of readFileSync(file, 'utf8').matchAll(/['"`](memlens_[a-z0-9_]+)['"`]/g)) if (m[1] !== undefined) names.add(m[1])
  }
  t.ok(names.size > 50, `found ${names.size} metric names`)
  for (const name of names) t.ok(metricsDoc.includes(`\`${name}\``), `${name} is in docs/metrics.md`)
  for (const group of METRIC_GROUPS) t.ok(metricsDoc.includes(`| \`${group}\` |`), `group ${group} is in docs/metrics.md`)
})

t.test('every flag is documented', async (t) => {
  for (const f of FLAGS) {
    t.match(configDoc, new RegExp(`\`--${f.name}[ \`]`), `--${f.name} is in docs/config.md`)
    for (const e of f.env) t.ok(configDoc.includes(`\`${e}\``), `${e} is in docs/config.md`)
  }
})
