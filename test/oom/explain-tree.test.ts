// The OOM explanation end to end on a cgroup v2 fixture tree whose files the test rewrites as
// the kernel would, second by second: the real collector, history, detector and classifier.
import { cpSync, mkdirSync, rmSync } from 'node:fs'
import t, { type Test } from 'tap'
import { createCore, type Core } from '../../agent/app/core.js'
import { parseConfig } from '../../agent/config.js'
import type { OomRecord } from '../../agent/model.js'
import { writeV2, type V2State } from '../fixtures/rewrite-v2.js'
import { buildTree, type TreeInfo } from '../fixtures/trees.js'
import { captureLogs } from '../helpers/logs.js'

interface Scene {
  readonly tree: TreeInfo
  readonly core: Core
  readonly dir: string
  readonly podDir: string
  readonly quietDir: string
  readonly logs: Record<string, unknown>[]
  /** Writes the state, moves the clock a second on and polls once. */
  step(state: V2State): Promise<void>
  records(): readonly OomRecord[]
}

async function scene(t: Test): Promise<Scene> {
  const tree = buildTree(t.testdir({}), { version: 'v2', layout: 'systemd-containerd' })
  const pod = tree.pods.find((p) => p.containers.filter((c) => !c.sandbox).length >= 2)
  if (pod === undefined) throw new Error('the fixture has no pod with two containers')
  const [target, quiet] = pod.containers.filter((c) => !c.sandbox)
  if (target === undefined || quiet === undefined) throw new Error('no containers')
  const parsed = parseConfig(['snapshot', '--cgroup-root', tree.cgroupRoot], {})
  if (parsed.config === undefined) throw new Error('no config')
  let clock = 1_700_000_000_000
  const { logger, logs } = captureLogs('warn')
  const core = createCore(parsed.config, { logger, now: () => clock })
  t.teardown(() => core.stop())
  const dir = `${tree.hierarchyRoot}${target.path}`
  const podDir = `${tree.hierarchyRoot}${pod.path}`
  const quietDir = `${tree.hierarchyRoot}${quiet.path}`
  writeV2(quietDir, { limitMiB: 512, anonMiB: 20, fileMiB: 10 })
  return {
    tree,
    core,
    dir,
    podDir,
    quietDir,
    logs,
    async step(state) {
      writeV2(dir, state)
      // The pod is hierarchical: its numbers include the container's, under a larger limit.
      writeV2(podDir, { ...state, limitMiB: 1024, anonMiB: state.anonMiB + 20, fileMiB: state.fileMiB + 10 })
      clock += 1000
      await core.collector.collect()
    },
    records: () => core.oom.records(),
  }
}

t.test('a writer the disk cannot keep up with: dirty_page_cache, from the window', async (t) => {
  const s = await scene(t)
  // Dirty and writeback swing between zero and half the limit; limit hits climb by hundreds.
  const swing: [number, number, number, number][] = [
    [60, 0, 0, 0],
    [140, 110, 20, 300],
    [200, 0, 0, 800],
    [240, 100, 30, 1400],
    [250, 5, 0, 2100],
  ]
  for (const [file, dirty, writeback, hits] of swing)
    await s.step({ limitMiB: 256, anonMiB: 1, fileMiB: file, dirtyMiB: dirty, writebackMiB: writeback, limitHits: hits })
  t.equal(s.records().length, 0, 'no explanation before a kill')
  // The kill: at this moment every file page reads clean.
  await s.step({ limitMiB: 256, anonMiB: 1, fileMiB: 250, limitHits: 2600, oomKills: 1 })
  const [oom] = s.records()
  t.equal(oom?.cause, 'dirty_page_cache', oom?.message ?? '')
  t.equal(oom?.scope, 'container')
  t.equal(oom?.kills, 1)
  t.match(oom?.message ?? '', /dirty/i)
  t.ok(Buffer.byteLength(oom?.message ?? '') <= 1024, 'fits a Kubernetes Event')
  t.ok(
    s.logs.some((l) => typeof l['msg'] === 'string' && l['msg'].startsWith('OOM kill explained') && l['cause'] === 'dirty_page_cache'),
    'a warning log line',
  )
  const snap = s.core.snapshot()
  const row = snap?.containers.find((c) => oom !== undefined && c.id === oom.id)
  t.ok(row, 'the container is still in the snapshot')
  t.equal(s.core.collector.latest?.containers.find((c) => c.ref.id === oom?.id)?.oom?.kills, 1, 'the sample carries its OOM summary')
  const peaks = s.core.collector.latest?.containers.find((c) => c.ref.id === oom?.id)?.peaks
  t.equal(peaks?.dirtyWritebackBytes, 130 * 1024 * 1024, 'the peak between scrapes survives the clean last sample')
  await s.step({ limitMiB: 256, anonMiB: 1, fileMiB: 250, limitHits: 2600, oomKills: 1 })
  t.equal(s.records().length, 1, 'one kill, one explanation')
})

t.test('the killed container cgroup is removed and a new one created: explained from its history', async (t) => {
  const s = await scene(t)
  for (const [file, dirty, hits] of [
    [80, 40, 100],
    [180, 120, 900],
    [250, 0, 1900],
  ] as const)
    await s.step({ limitMiB: 256, anonMiB: 1, fileMiB: file, dirtyMiB: dirty, limitHits: hits })
  // Between two polls: killed, removed by the runtime, restarted under a new ID.
  const fresh = s.dir.replace(/[0-9a-f]{64}/, 'f'.repeat(64))
  mkdirSync(fresh)
  cpSync(s.dir, fresh, { recursive: true })
  rmSync(s.dir, { recursive: true })
  writeV2(fresh, { limitMiB: 256, anonMiB: 1, fileMiB: 0 })
  writeV2(s.podDir, { limitMiB: 1024, anonMiB: 21, fileMiB: 260, oomKills: 1 })
  await s.core.collector.collect()
  const [oom] = s.records()
  t.equal(oom?.cause, 'dirty_page_cache', oom?.message ?? '')
  t.equal(oom?.id, s.dir.slice(s.tree.hierarchyRoot.length), 'pinned on the container that vanished')
  t.equal(s.records().length, 1)
})

t.test("a program's own memory: anon", async (t) => {
  const s = await scene(t)
  for (const anon of [60, 120, 200, 250]) await s.step({ limitMiB: 256, anonMiB: anon, fileMiB: 4 })
  await s.step({ limitMiB: 256, anonMiB: 2, fileMiB: 4, limitHits: 40, oomKills: 1 })
  t.equal(s.records()[0]?.cause, 'anon', s.records()[0]?.message ?? '')
})

t.test('tmpfs pages: shmem', async (t) => {
  const s = await scene(t)
  for (const shmem of [50, 150, 240]) await s.step({ limitMiB: 256, anonMiB: 3, fileMiB: shmem + 5, shmemMiB: shmem })
  await s.step({ limitMiB: 256, anonMiB: 1, fileMiB: 245, shmemMiB: 240, limitHits: 10, oomKills: 1 })
  t.equal(s.records()[0]?.cause, 'shmem', s.records()[0]?.message ?? '')
})

t.test('a quiet container never gets an explanation', async (t) => {
  const s = await scene(t)
  for (let i = 0; i < 5; i++) await s.step({ limitMiB: 256, anonMiB: 30, fileMiB: 20 })
  t.equal(s.records().length, 0)
  t.equal(s.logs.filter((l) => typeof l['msg'] === 'string' && l['msg'].startsWith('OOM kill')).length, 0)
})
