// What every rule must carry, and that it names only metrics memlens promises.
import { existsSync, readFileSync } from 'node:fs'
import t from 'tap'
import { documentedMetricNames, PROMETHEUS_METRICS } from './metric-names.js'
import { metricNamesIn } from './promql-names.js'
import { isAlert, readRules, repoRoot, ruleName, RUNBOOK_BASE_URL, RUNBOOKS_DIR } from './rules-file.js'

const groups = readRules()
const rules = groups.flatMap((g) => g.rules)
const alerts = rules.filter(isAlert)
const alertsDoc = readFileSync(`${repoRoot}docs/alerts.md`, 'utf8')

// The names the dashboards helper and docs/alerts.md rely on.
const REQUIRED_RECORDS = [
  'memlens:container_dirty_writeback_over_limit:ratio',
  'memlens:container_unreclaimable_over_limit:ratio',
  'memlens:container_working_set_over_limit:ratio',
  'memlens:container_usage_over_limit:ratio',
  'memlens:container_processes_rss_over_working_set:ratio',
  'namespace:memlens_container_memory_dirty_writeback_bytes:sum',
  'namespace:memlens_container_memory_working_set_bytes:sum',
  'namespace:memlens_container_memory_unreclaimable_bytes:sum',
  'node:memlens_container_memory_dirty_writeback_bytes:sum',
]
const REQUIRED_ALERTS = [
  'MemlensContainerDirtyPagesHigh',
  'MemlensContainerUnreclaimableNearLimit',
  'MemlensContainerLimitHitsRepeated',
  'MemlensContainerOOMKilled',
  'MemlensContainerMemoryPressure',
  'MemlensDown',
  'MemlensNotCollecting',
  'MemlensCgroupReadErrors',
  'MemlensKubernetesWatchDown',
]

t.test('the promised rules are there, each name once', async (t) => {
  const names = rules.map(ruleName)
  t.strictSame(
    names.filter((n, i) => names.indexOf(n) !== i),
    [],
    'no name twice',
  )
  for (const name of [...REQUIRED_RECORDS, ...REQUIRED_ALERTS]) t.ok(names.includes(name), name)
})

t.test('every alert has a severity, a summary, a templated description and a runbook', async (t) => {
  for (const a of alerts) {
    t.match(a.labels['severity'], /^(warning|critical)$/, `${a.alert} severity`)
    t.ok(a.annotations['summary'], `${a.alert} summary`)
    const description = a.annotations['description'] ?? ''
    t.match(description, /\{\{.*\}\}/, `${a.alert} description is templated`)
    if (a.alert.startsWith('MemlensContainer')) {
      for (const label of ['namespace', 'pod', 'container']) t.match(description, `$labels.${label}`, `${a.alert} names the ${label}`)
      t.match(description, '$value', `${a.alert} carries the value`)
    }
    t.equal(a.annotations['runbook_url'], `${RUNBOOK_BASE_URL}${a.alert}.md`, `${a.alert} runbook_url`)
    t.ok(existsSync(`${RUNBOOKS_DIR}/${a.alert}.md`), `docs/runbooks/${a.alert}.md exists`)
  }
})

t.test('every metric a rule names is documented, pending issue 7, or recorded before it', async (t) => {
  const documented = documentedMetricNames()
  const recorded = new Set<string>()
  for (const group of groups) {
    for (const rule of group.rules) {
      for (const name of metricNamesIn(rule.expr)) {
        const known = documented.has(name) || PROMETHEUS_METRICS.has(name) || recorded.has(name)
        t.ok(known, `${ruleName(rule)}: ${name}`)
      }
      // Rules of a group run in order, so a recorded series is fresh only for the rules after it.
      if (!isAlert(rule)) recorded.add(rule.record)
    }
  }
})

t.test('docs/alerts.md lists every rule', async (t) => {
  for (const rule of rules) t.match(alertsDoc, `\`${ruleName(rule)}\``, ruleName(rule))
  t.match(alertsDoc, RUNBOOK_BASE_URL, 'and names the runbook base URL a fork rewrites')
})
