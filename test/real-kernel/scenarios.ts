// What memlens must get right on a real kernel, written once for cgroup v1 and v2: v1.test.ts and
// v2.test.ts run these under tap, and device.ts runs them where tap is not installed (a borrowed
// machine with a cgroup v2 kernel, test/real-kernel/device-v2.sh). Each scenario makes its own
// child cgroups under the hierarchy's parent and removes them.
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { existsSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { isDeepStrictEqual } from 'node:util'
import { EventsWatcher } from '../../agent/collect/events-watcher.js'
import { agentFrom } from '../helpers/agent.js'
import { nodeComm } from '../helpers/comm.js'
import { atWarnOrAbove, captureLogs } from '../helpers/logs.js'
import { until } from '../helpers/wait.js'
import { makeChild, removeChild, statValue, type OwnCgroup, type RealHierarchy } from './own-cgroup.js'

/** The part of tap's Test the scenarios use; device.ts implements it without tap. */
export interface Checks {
  ok(value: unknown, ...message: Message): unknown
  equal(found: unknown, wanted: unknown, ...message: Message): unknown
  not(found: unknown, notWanted: unknown, ...message: Message): unknown
  match(found: unknown, pattern: RegExp | string, ...message: Message): unknown
  notMatch(found: unknown, pattern: RegExp | string, ...message: Message): unknown
  same(found: unknown, wanted: unknown, ...message: Message): unknown
  pass(...message: Message): unknown
  comment(...message: unknown[]): unknown
  teardown(fn: () => unknown): unknown
}

/** tap's message argument: absent or one string. */
export type Message = [] | [string]

export interface Scenario {
  readonly name: string
  /** Only on this version; both when absent. */
  readonly only?: 'v1' | 'v2'
  run(t: Checks, h: RealHierarchy, tag: string): Promise<void>
}

const MiB = 1024 * 1024

/** Where writers put their files: a disk-backed directory (tmpfs pages are shmem, never dirty). */
const writeDir = (): string => process.env['MEMLENS_TEST_WRITE_DIR'] ?? tmpdir()

const agentFor = (cg: OwnCgroup, ...extra: string[]) =>
  agentFrom(['--scope', 'all', '--cgroup-parent', cg.rel, '--listen', '127.0.0.1:0', '--interval', '100ms', ...extra])

/** Starts a command inside the cgroup and returns the child at once. */
const startIn = (cg: OwnCgroup, command: string) =>
  spawn('sh', ['-c', `echo $$ > ${cg.dir}/cgroup.procs && exec ${command}`], { stdio: 'ignore' })

/** Runs a shell command inside the cgroup: it moves itself in before exec. Its exit code, or 137 when killed. */
const runIn = async (cg: OwnCgroup, command: string): Promise<number | null> => {
  const [code, signal] = (await once(startIn(cg, command), 'exit')) as [number | null, NodeJS.Signals | null]
  return signal === null ? code : 128 + 9
}

const V1_EXACT_FILES = ['memory.usage_in_bytes', 'memory.limit_in_bytes', 'memory.stat', 'memory.failcnt', 'memory.kmem.usage_in_bytes']
const V2_EXACT_FILES = ['memory.current', 'memory.max', 'memory.stat', 'memory.events']

/** The files' texts by name. */
type Files = Readonly<Record<string, string>>

const readAll = (cg: OwnCgroup, names: readonly string[]): Files =>
  Object.fromEntries(names.map((n) => [n, readFileSync(`${cg.dir}/${n}`, 'latin1')]))

/** Each figure's file, by version: `stat` keys are memory.stat's, `file` names a file of one number. */
const SOURCES: Record<'v1' | 'v2', { usage: string; limit: string; stat: Record<string, string>; file: Record<string, string> }> = {
  v1: {
    usage: 'memory.usage_in_bytes',
    limit: 'memory.limit_in_bytes',
    stat: {
      rssBytes: 'total_rss',
      cacheBytes: 'total_cache',
      activeFileBytes: 'total_active_file',
      inactiveFileBytes: 'total_inactive_file',
      dirtyBytes: 'total_dirty',
      writebackBytes: 'total_writeback',
      shmemBytes: 'total_shmem',
      mappedFileBytes: 'total_mapped_file',
    },
    file: { kernelBytes: 'memory.kmem.usage_in_bytes' },
  },
  v2: {
    usage: 'memory.current',
    limit: 'memory.max',
    stat: {
      rssBytes: 'anon',
      cacheBytes: 'file',
      activeFileBytes: 'active_file',
      inactiveFileBytes: 'inactive_file',
      dirtyBytes: 'file_dirty',
      writebackBytes: 'file_writeback',
      shmemBytes: 'shmem',
      mappedFileBytes: 'file_mapped',
      kernelBytes: 'kernel',
    },
    file: { swapBytes: 'memory.swap.current' },
  },
}

/**
 * What each figure must be, straight from the files by the formulas of docs/metrics.md (the
 * working set as cAdvisor computes it: usage − inactive_file, at least 0).
 */
function expectedFigures(h: RealHierarchy, files: Files): { memory: Record<string, number>; events: Record<string, number> } {
  const single = (name: string): number => Number(files[name]?.trim())
  const flat = (name: string, key: string): number => Number(new RegExp(`^${key} (\\d+)$`, 'm').exec(files[name] ?? '')?.[1])
  const src = SOURCES[h.version]
  const usage = single(src.usage)
  const memory: Record<string, number> = { usageBytes: usage, limitBytes: single(src.limit) }
  for (const [field, key] of Object.entries(src.stat)) memory[field] = flat('memory.stat', key)
  for (const [field, name] of Object.entries(src.file)) if (files[name] !== undefined) memory[field] = single(name)
  memory['workingSetBytes'] = Math.max(0, usage - (memory['inactiveFileBytes'] ?? NaN))
  const events: Record<string, number> =
    h.version === 'v1'
      ? { limitHits: single('memory.failcnt') }
      : { limitHits: flat('memory.events', 'max'), oomKills: flat('memory.events', 'oom_kill') }
  return { memory, events }
}

/** A child cgroup and a file in the write directory for its writer; both removed at teardown. */
function childWithFile(t: Checks, h: RealHierarchy, name: string, limitBytes: number): { cg: OwnCgroup; file: string } {
  const cg = makeChild(h, name, limitBytes)
  const file = `${writeDir()}/${name}.dat`
  t.teardown(async () => {
    rmSync(file, { force: true })
    await removeChild(cg)
  })
  return { cg, file }
}

const eventCount = (cg: OwnCgroup, key: string): number =>
  Number(new RegExp(`^${key} (\\d+)$`, 'm').exec(readFileSync(`${cg.dir}/memory.events`, 'utf8'))?.[1])

export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'dirty pages of a writer match memory.stat',
    async run(t, h, tag) {
      // 96 MiB of page cache in a 256 MiB cgroup, written faster than the disk takes it. v1 has no
      // per-cgroup dirty throttling, so most of it is still dirty when dd exits; v2 throttles the
      // writer at the cgroup's own dirty limit and keeps about its background share dirty
      // (docs/kernel.md §4.1, §4.2, §5.5). After the writer, dirty only falls, so two reads bracket ours.
      const { cg, file } = childWithFile(t, h, `${tag}-dirty`, 256 * MiB)
      const code = await runIn(cg, `dd if=/dev/zero of=${file} bs=1M count=96 status=none`)
      t.equal(code, 0, 'the writer finished')
      const { agent } = await agentFor(cg)
      t.teardown(() => agent.stop())

      const before = statValue(cg, h.keys.dirty)
      await agent.core.collector.collect()
      const after = statValue(cg, h.keys.dirty)
      const row = agent.core.snapshot()?.containers.find((c) => c.id === cg.rel)
      t.ok(row, 'memlens reports our cgroup by its path')
      const dirty = row?.memory.dirtyBytes ?? -1
      const least = h.version === 'v1' ? 16 * MiB : 1 * MiB
      t.ok(before > least, `the writer left dirty pages (${before} bytes, ${h.keys.dirty})`)
      t.ok(
        dirty >= Math.min(before, after) && dirty <= Math.max(before, after),
        `memlens dirty ${dirty} within memory.stat's ${before}..${after}`,
      )
      t.equal(row?.memory.usageBytes !== null && (row?.memory.usageBytes ?? 0) > 0, true, 'usage present')
      t.equal(row?.memory.limitBytes, 256 * MiB, 'the limit we set')
      const usage = row?.memory.usageBytes ?? 0
      const inactive = row?.memory.inactiveFileBytes ?? 0
      t.equal(row?.memory.workingSetBytes, Math.max(0, usage - inactive), 'working set = usage − inactive_file')
      const peak = agent.core.collector.latest?.containers.find((c) => c.ref.id === cg.rel)?.peaks?.dirtyWritebackBytes ?? 0
      t.ok(peak >= dirty, `the dirty + writeback peak (${peak}) holds at least the dirty pages`)
      t.ok((row?.memory.cacheBytes ?? 0) >= dirty, 'dirty pages are page cache')
      t.ok((row?.memory.rssBytes ?? Infinity) < 8 * MiB, `while RSS is tiny (${row?.memory.rssBytes})`)
      const metrics = await agent.metrics()
      for (const name of ['dirty_bytes', 'dirty_writeback_window_max_bytes']) {
        t.match(
          metrics,
          new RegExp(`memlens_container_memory_${name}\\{id="${cg.rel}",namespace="",pod="",container=""\\} \\d+`),
          `/metrics has memlens_container_memory_${name} for our cgroup`,
        )
      }
    },
  },
  {
    name: 'a process OOM-killed at its limit is counted',
    async run(t, h, tag) {
      const cg = makeChild(h, `${tag}-oom`, 32 * MiB)
      t.teardown(() => removeChild(cg))
      // dd allocates its block size as one anonymous buffer: 256 MiB cannot fit in 32 MiB.
      const code = await runIn(cg, 'dd if=/dev/zero of=/dev/null bs=256M count=1 status=none')
      t.not(code, 0, 'the allocator died')
      const { agent } = await agentFor(cg)
      t.teardown(() => agent.stop())
      await agent.core.collector.collect()
      const row = agent.core.snapshot()?.containers.find((c) => c.id === cg.rel)
      t.ok((row?.events.oomKills ?? 0) >= 1, `oom_kill counted (${row?.events.oomKills})`)
      t.ok((row?.events.limitHits ?? 0) >= 1, `limit hits counted (${row?.events.limitHits})`)
      if (h.version === 'v2') {
        t.equal(row?.events.oomKills, eventCount(cg, 'oom_kill'), 'oom_kill as memory.events says')
        t.equal(row?.events.limitHits, eventCount(cg, 'max'), 'limit hits are memory.events max')
      }
    },
  },
  {
    name: 'a process that allocates until it is OOM-killed is explained as anon, naming it',
    async run(t, h, tag) {
      const cg = makeChild(h, `${tag}-explain`, 96 * MiB)
      t.teardown(() => removeChild(cg))
      const { agent, logs } = await agentFor(cg, '--kmsg', '/dev/kmsg')
      t.teardown(() => agent.stop())
      agent.core.startPolling()
      await until('the first poll', () => agent.core.collector.latest !== undefined, 10_000)
      // Grows by 4 MiB every 50 ms, so the agent sees it climb before the kernel kills it.
      const child = startIn(cg, `${process.execPath} -e "const a=[];setInterval(()=>a.push(Buffer.alloc(4<<20,1)),50)"`)
      const [, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null]
      t.equal(signal, 'SIGKILL', 'the kernel killed it')
      await until('the explanation', () => agent.core.oom.records().length > 0, 10_000)
      const [oom] = agent.core.oom.records()
      t.equal(oom?.cause, 'anon', oom?.message ?? '')
      t.equal(oom?.id, cg.rel, 'the kill is placed in our cgroup')
      t.ok((oom?.message ?? '').includes(nodeComm()), `the message names the process (${nodeComm()})`)
      t.ok(
        logs.some((l) => l['cause'] === 'anon' && typeof l['msg'] === 'string' && l['msg'].startsWith('OOM kill explained')),
        'logged',
      )
      t.comment(`numbers from ${oom?.fromKernelReport === true ? 'the kernel report' : 'the samples (the kernel log was not readable)'}`)
    },
  },
  {
    name: "a holder's process RSS is the sum of its VmRSS",
    async run(t, h, tag) {
      const cg = makeChild(h, `${tag}-holder`, 256 * MiB)
      t.teardown(() => removeChild(cg))
      const child = startIn(cg, `${process.execPath} -e "globalThis.b=Buffer.alloc(48<<20,1);setInterval(()=>{},1000)"`)
      t.teardown(() => child.kill('SIGKILL'))
      const { agent } = await agentFor(cg)
      t.teardown(() => agent.stop())
      const pid = child.pid ?? 0
      const vmRss = (): number => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'latin1'))?.[1]) * 1024
      await until('the holder to hold its 48 MiB', () => vmRss() > 48 * MiB, 10_000)
      // The holder is a Node process: its RSS can move by a few pages while memlens reads it (its
      // own GC and compiler threads). A collection bracketed by two equal reads is the comparison;
      // a few tries find one on a busy machine.
      let before = 0
      let after = -1
      let rss = -1
      let count: number | undefined
      for (let attempt = 0; attempt < 20 && !(before === after && rss === before); attempt++) {
        before = vmRss()
        await agent.core.collector.collect()
        after = vmRss()
        const row = agent.core.collector.latest?.containers.find((c) => c.ref.id === cg.rel)
        count = row?.processes?.count
        rss = row?.processes?.rssBytes ?? -1
      }
      t.equal(count, 1, 'one process')
      t.ok(rss >= Math.min(before, after) && rss <= Math.max(before, after), `process RSS ${rss} = VmRSS ${before}..${after}`)
      const row = agent.core.collector.latest?.containers.find((c) => c.ref.id === cg.rel)
      t.equal(row?.processes?.largest[0]?.pid, pid, 'the largest process is the holder')
      t.equal(row?.processes?.largest[0]?.comm, nodeComm(), 'its comm, as /proc shows it')
    },
  },
  {
    name: "a quiet cgroup's every figure is what the kernel's files say, to the byte",
    async run(t, h, tag) {
      // Clean page cache read by cat, then a process that only sleeps: nothing changes between
      // two reads of the files, so a collection bracketed by two equal reads must equal them.
      const { cg, file } = childWithFile(t, h, `${tag}-exact`, 64 * MiB)
      await runIn(cg, `dd if=/dev/zero of=${file} bs=1M count=8 conv=fsync status=none`)
      const child = startIn(cg, `sh -c 'cat ${file} >/dev/null; exec sleep 600'`)
      t.teardown(() => child.kill('SIGKILL'))
      const { agent } = await agentFor(cg)
      t.teardown(() => agent.stop())
      const names = [...(h.version === 'v1' ? V1_EXACT_FILES : V2_EXACT_FILES)]
      if (h.version === 'v2' && existsSync(`${cg.dir}/memory.swap.current`)) names.push('memory.swap.current')
      await until('the reader to go to sleep', () => /^State:\s+S/m.test(readFileSync(`/proc/${child.pid}/status`, 'latin1')), 10_000)
      let before: Files = {}
      let after: Files = { changed: '' }
      for (let attempt = 0; attempt < 20 && !isDeepStrictEqual(before, after); attempt++) {
        before = readAll(cg, names)
        await agent.core.collector.collect()
        after = readAll(cg, names)
      }
      t.same(after, before, 'the files held still around one collection')
      const row = agent.core.snapshot()?.containers.find((c) => c.id === cg.rel)
      const want = expectedFigures(h, before)
      for (const [field, value] of Object.entries(want.memory)) {
        t.equal(row?.memory[field as keyof typeof row.memory], value, `${field} = ${value}`)
      }
      for (const [field, value] of Object.entries(want.events)) {
        t.equal(row?.events[field as keyof typeof row.events], value, `events.${field} = ${value}`)
      }
      const memory = row?.memory
      t.ok((memory?.cacheBytes ?? 0) >= 8 * MiB, `the file read is in the cache (${memory?.cacheBytes})`)
    },
  },
  {
    name: 'a cgroup removed while memlens runs leaves no series and no error',
    async run(t, h, tag) {
      const parent = makeChild(h, `${tag}-churn`, undefined, 'parent')
      const child = makeChild({ ...h, parent: parent.rel }, 'short-lived')
      t.teardown(async () => {
        await removeChild(child)
        await removeChild(parent)
      })
      const { agent, logs } = await agentFor(parent)
      t.teardown(() => agent.stop())
      const { port } = await agent.listen('127.0.0.1', 0)
      agent.core.startPolling()
      const scrape = async (): Promise<string> => (await fetch(`http://127.0.0.1:${port}/metrics`)).text()
      let m = ''
      const series = `id="${child.rel}"`
      await until('the child to appear', async () => (m = await scrape()).includes(series), 10_000)
      t.match(m, series, 'the child appears')
      await removeChild(child)
      await until('the child to leave /metrics', async () => !(m = await scrape()).includes(series), 10_000)
      t.notMatch(m, series, 'its series are gone after it is removed')
      t.match(m, `id="${parent.rel}"`, 'the parent is still reported')
      t.match(m, /memlens_collect_errors_total\{reason="io"\} 0/, 'no error counted')
      t.same(atWarnOrAbove(logs), [], 'no warning or error logged')
    },
  },
  {
    name: 'cgroup v2 notifies a watcher of memory.events the moment a process is OOM-killed',
    only: 'v2',
    async run(t, h, tag) {
      const cg = makeChild(h, `${tag}-notify`, 32 * MiB)
      t.teardown(() => removeChild(cg))
      const changed: string[] = []
      const { logger, logs } = captureLogs()
      const watcher = new EventsWatcher(h.root, (id) => changed.push(id), logger)
      t.teardown(() => watcher.close())
      watcher.sync(new Set([cg.rel]))
      // chokidar reports ready per add; give inotify a moment to hold the watch before the kill.
      await new Promise((r) => setTimeout(r, 500))
      const code = await runIn(cg, 'dd if=/dev/zero of=/dev/null bs=256M count=1 status=none')
      t.not(code, 0, 'the allocator died')
      await until('a change of memory.events', () => changed.includes(cg.rel), 10_000)
      t.ok(changed.includes(cg.rel), `the watcher saw ${cg.rel}/memory.events change`)
      t.ok(eventCount(cg, 'oom_kill') >= 1, 'memory.events counts the kill')
      t.same(atWarnOrAbove(logs), [], 'the watcher logged no warning')
    },
  },
  {
    name: 'a writer killed by its own page cache is explained as dirty page cache',
    only: 'v2',
    async run(t, h, tag) {
      // docs/kernel.md §5.2 and §4.3: on Linux 6.16+ with cgroup v2, `dd` writing 2 GiB into a 256 MiB cgroup
      // can be OOM-killed with almost no anon memory: the file pages could not be reclaimed in
      // time. Not every filesystem does this; where the writer survives, there is nothing to explain.
      const { cg, file } = childWithFile(t, h, `${tag}-writer`, 256 * MiB)
      const { agent } = await agentFor(cg)
      t.teardown(() => agent.stop())
      agent.core.startPolling()
      await until('the first poll', () => agent.core.collector.latest !== undefined, 10_000)
      const code = await runIn(cg, `dd if=/dev/zero of=${file} bs=1M count=2048 status=none`)
      const kills = eventCount(cg, 'oom_kill')
      t.comment(`dd exited ${code}; memory.events: oom_kill ${kills}, max ${eventCount(cg, 'max')}`)
      if (kills === 0) {
        t.equal(code, 0, 'the writer was throttled, not killed, on this filesystem: it finished')
        return
      }
      await until('the explanation', () => agent.core.oom.records().length > 0, 10_000)
      const [oom] = agent.core.oom.records()
      t.equal(oom?.id, cg.rel, 'the kill is placed in our cgroup')
      t.equal(oom?.cause, 'dirty_page_cache', oom?.message ?? '')
      t.comment(oom?.message ?? '')
    },
  },
]

/** The scenarios for one hierarchy version. */
export const scenariosFor = (version: 'v1' | 'v2'): readonly Scenario[] =>
  SCENARIOS.filter((s) => s.only === undefined || s.only === version)
