// cgroup v2: a change of memory.events is sampled at once, between polls (chokidar watches the
// files; on the real kernel kernfs notifies, on this tmpfs fixture the rewrite does).
import { rmSync } from 'node:fs'
import t, { type Test } from 'tap'
import { createCore } from '../../agent/app/core.js'
import { parseConfig } from '../../agent/config.js'
import { writeV2 } from '../fixtures/rewrite-v2.js'
import { buildTree } from '../fixtures/trees.js'
import { captureLogs } from '../helpers/logs.js'
import { until } from '../helpers/wait.js'

/** The serve core on a tree, polling every 10 minutes (so only notifications sample between). */
function coreFor(t: Test, cgroupRoot: string, logLevel: 'silent' | 'warn' = 'silent'): ReturnType<typeof createCore> {
  const parsed = parseConfig(['serve', '--cgroup-root', cgroupRoot, '--interval', '10m'], {})
  if (parsed.config === undefined) throw new Error('no config')
  const core = createCore(parsed.config, { logger: captureLogs(logLevel).logger })
  t.teardown(() => core.stop())
  return core
}

t.test('a kill is explained from memory.events notifications, without waiting for a poll', async (t) => {
  const tree = buildTree(t.testdir({}), { version: 'v2', layout: 'systemd-containerd' })
  const pod = tree.pods.find((p) => p.containers.some((c) => !c.sandbox))
  const target = pod?.containers.find((c) => !c.sandbox)
  if (pod === undefined || target === undefined) throw new Error('no container')
  const dir = `${tree.hierarchyRoot}${target.path}`
  writeV2(dir, { limitMiB: 256, anonMiB: 1, fileMiB: 20 })
  const core = coreFor(t, tree.cgroupRoot, 'warn')
  let polls = 0
  core.collector.onSnapshot(() => void polls++)
  core.startPolling()
  await until('the first poll', () => polls === 1, 10_000)
  t.ok(core.collector.watchedEvents > 0, `${core.collector.watchedEvents} memory.events watched`)
  // A writer: each limit hit rewrites memory.events, and each rewrite is a sample.
  const steps: [number, number, number][] = [
    [120, 100, 300],
    [200, 0, 700],
    [250, 120, 1200],
  ]
  for (const [file, dirty, hits] of steps) {
    writeV2(dir, { limitMiB: 256, anonMiB: 1, fileMiB: file, dirtyMiB: dirty, limitHits: hits })
    await new Promise((r) => setTimeout(r, 300))
  }
  writeV2(dir, { limitMiB: 256, anonMiB: 1, fileMiB: 250, limitHits: 1500, oomKills: 1 })
  await until('the explanation', () => core.oom.records().length > 0, 10_000)
  t.equal(polls, 1, 'no poll ran meanwhile')
  t.equal(core.oom.records()[0]?.cause, 'dirty_page_cache', core.oom.records()[0]?.message ?? '')
})

t.test('watchers follow the cgroups: released when a container goes, none on v1', async (t) => {
  const tree = buildTree(t.testdir({}), { version: 'v2', layout: 'cgroupfs-containerd' })
  const core = coreFor(t, tree.cgroupRoot)
  core.startPolling()
  await until('the first poll', () => core.collector.latest !== undefined, 10_000)
  const before = core.collector.watchedEvents
  t.equal(before, core.collector.latest?.containers.length, 'one per container')
  const gone = tree.pods[0]?.containers[0]
  if (gone === undefined) throw new Error('no container')
  rmSync(`${tree.hierarchyRoot}${gone.path}`, { recursive: true })
  await core.collector.collect()
  t.equal(core.collector.watchedEvents, before - 1, 'released with its cgroup')
  await core.stop()
  t.equal(core.collector.watchedEvents, 0, 'all released on stop')

  const v1 = buildTree(t.testdir({}), { version: 'v1', layout: 'cgroupfs-containerd' })
  const c1 = coreFor(t, v1.cgroupRoot)
  c1.startPolling()
  await until('the first v1 poll', () => c1.collector.latest !== undefined, 10_000)
  t.equal(c1.collector.watchedEvents, 0, 'v1 does not notify: polls only')
})
