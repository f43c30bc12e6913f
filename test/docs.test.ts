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

const readme = readFileSync(`${root}/README.md`, 'utf8')
const deployDoc = readFileSync(`${root}/docs/deploy.md`, 'utf8')

/** The cells of the first Markdown table row that starts with `| first |`. */
function row(doc: string, first: string): string[] {
  const line = doc.split('\n').find((l) => l.startsWith(`| ${first} |`))
  return line === undefined ? [] : line.split(' | ').map((c) => c.replace(/^\| |\s*\|$/g, ''))
}

t.test("the README's unreclaimable formula is docs/metrics.md's, for v1 and v2", async (t) => {
  const [, , , v1, v2] = row(metricsDoc, '`memory_unreclaimable_bytes`')
  t.ok(v1 !== undefined && v2 !== undefined, 'metrics.md has the row')
  t.notMatch(v1 ?? '', /kernel|slab/, 'v1 has no kernel term')
  const readmeRow = row(readme, '`memlens_container_memory_unreclaimable_bytes`').join(' | ')
  t.ok(readmeRow.includes(`v1 ${v1 ?? '?'}`), `README row: ${readmeRow}`)
  t.ok(readmeRow.includes(`v2 ${v2 ?? '?'}`), 'and the v2 formula')
})

t.test('docs/metrics.md: on v1 the event counters of a pod are its own', async (t) => {
  const policy = metricsDoc.split('\n## ')[1] ?? ''
  const podValues = policy.slice(policy.indexOf('- Pod values'))
  t.match(podValues, /v1/)
  t.match(podValues, /`failcnt`/)
  t.match(podValues, /`oom_kill`/)
  t.match(podValues, /only the cgroup's\s+own/)
})

t.test('logs go to stderr, and the docs say so', async (t) => {
  t.match(deployDoc, /[Ll]ogs[^.]*JSON lines on stderr/)
  for (const [name, doc] of [
    ['README.md', readme],
    ['docs/deploy.md', deployDoc],
    ['docs/config.md', configDoc],
  ] as const) {
    t.notMatch(doc, /\blogs?\b[^.\n(]*\b(to|on)\s+(stdout|standard output)/i, `${name} does not send logs to stdout`)
  }
})

t.test('the README says how to get a memlens command', async (t) => {
  t.match(readme, /npm ci && npm run build/)
  t.match(readme, /npx memlens /)
  t.match(readme, /npm link/)
})

t.test("docs/config.md's commands column is the flags' own", async (t) => {
  for (const f of FLAGS) {
    const cells = configDoc
      .split('\n')
      .find((l) => l.startsWith(`| \`--${f.name}`))
      ?.split(' | ')
    t.equal(cells?.[1], (f.commands ?? ['all']).join(', '), `--${f.name}`)
  }
})
