// The whole /metrics output of an agent on fixture trees, compared with golden files and
// linted by promtool. UPDATE_GOLDEN=1 rewrites the files; review the diff before committing.
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { agentFrom } from '../helpers/agent.js'
import { buildTree, LAYOUTS, type LayoutName } from '../fixtures/trees.js'

const goldenDir = fileURLToPath(new URL('../golden', import.meta.url))

/** Drops what changes from run to run: cycle timings, timestamps, the Node version. */
function stable(metrics: string): string {
  return metrics
    .split('\n')
    .filter((l) => !/^memlens_collect_(duration_seconds|last_timestamp_seconds)/.test(l))
    .map((l) => l.replace(/nodejs_version="[^"]*"/, 'nodejs_version="X"'))
    .join('\n')
}

async function metricsOf(dir: string, version: 'v1' | 'v2', layout: LayoutName, extra: string[] = []): Promise<string> {
  const tree = buildTree(dir, { version, layout })
  const { agent } = await agentFrom(['--cgroup-root', tree.cgroupRoot, ...extra])
  await agent.core.collector.collect()
  const text = await agent.metrics()
  await agent.stop()
  return text
}

const GOLDEN: readonly ['v1' | 'v2', LayoutName][] = [
  ['v1', 'cgroupfs-containerd'],
  ['v2', 'systemd-containerd'],
  ['v2', 'systemd-crio'],
]

for (const [version, layout] of GOLDEN) {
  t.test(`golden /metrics: ${version} ${layout}`, async (t) => {
    const text = stable(await metricsOf(t.testdir({}), version, layout, ['--disable-metrics', 'runtime']))
    const file = `${goldenDir}/${version}-${layout}.prom`
    if (process.env['UPDATE_GOLDEN'] === '1') writeFileSync(file, text)
    t.ok(existsSync(file), `${file} exists (UPDATE_GOLDEN=1 writes it)`)
    t.equal(text, existsSync(file) ? readFileSync(file, 'utf8') : '', 'matches the golden file')
  })
}

t.test('every layout yields every pod and container of the tree', async (t) => {
  for (const version of ['v1', 'v2'] as const) {
    for (const layout of LAYOUTS) {
      const dir = t.testdir({})
      const tree = buildTree(dir, { version, layout })
      const { agent } = await agentFrom(['--cgroup-root', tree.cgroupRoot])
      const snap = await agent.core.collector.collect()
      await agent.stop()
      t.equal(snap.scope, 'kubernetes', `${version} ${layout}: auto scope finds kubepods`)
      t.same(
        snap.pods.map((p) => p.ref.id),
        tree.pods.map((p) => p.path).sort(),
        `${version} ${layout}: pods`,
      )
      t.same(
        snap.containers.map((c) => c.ref.id),
        tree.pods.flatMap((p) => p.containers.map((c) => c.path)).sort(),
        `${version} ${layout}: containers, sandboxes included`,
      )
    }
  }
})

const promtool = spawnSync('promtool', ['--version']).status === 0
t.test(
  'promtool check metrics is clean on the default /metrics, runtime metrics included',
  { skip: promtool ? false : 'promtool is not installed (apt-get install prometheus)' },
  async (t) => {
    for (const [version, layout] of GOLDEN) {
      const text = await metricsOf(t.testdir({}), version, layout)
      t.match(text, /^process_cpu_seconds_total \d/m, `${version} ${layout}: the runtime group is on by default`)
      const res = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' })
      t.equal(`${res.stdout}${res.stderr}`, '', `${version} ${layout}: promtool says nothing`)
      t.equal(res.status, 0, `${version} ${layout}: promtool exits 0`)
    }
  },
)
if (!promtool && process.env['CI'] === 'true') t.fail('promtool is required on CI')
