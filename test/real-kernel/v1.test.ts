// On the real kernel: a writer fills a small cgroup with dirty page cache and memlens must
// report what memory.stat says; a cgroup removed while memlens runs leaves no series; a
// process OOM-killed at its limit is counted. Skips with a reason off cgroup v1; under
// CI=true a skip is a failure.
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import t from 'tap'
import { agentFrom } from '../helpers/agent.js'
import { nodeComm } from '../helpers/comm.js'
import { until } from '../helpers/wait.js'
import { makeChild, removeChild, statValue, v1Unavailable, type OwnCgroup } from './own-cgroup.js'

const unavailable = v1Unavailable()
if (unavailable !== undefined) {
  if (process.env['CI'] === 'true') t.fail(`real-kernel cgroup v1 tests cannot run on CI: ${unavailable}`)
  else t.plan(0, `real-kernel cgroup v1 tests: ${unavailable}`)
} else {
  const MiB = 1024 * 1024
  const tag = `memlens-test-${process.pid}-${Date.now().toString(36)}`

  const agentFor = (cg: OwnCgroup, ...extra: string[]) =>
    agentFrom(['--scope', 'all', '--cgroup-parent', cg.rel, '--listen', '127.0.0.1:0', '--interval', '100ms', ...extra])

  /** Starts a command inside the cgroup and returns the child at once. */
  const startIn = (cg: OwnCgroup, command: string) =>
    spawn('sh', ['-c', `echo $$ > ${cg.dir}/cgroup.procs && exec ${command}`], { stdio: 'ignore' })

  /** Runs a shell command inside the cgroup: it moves itself in before exec. */
  const runIn = async (cg: OwnCgroup, command: string): Promise<number | null> => {
    const child = spawn('sh', ['-c', `echo $$ > ${cg.dir}/cgroup.procs && exec ${command}`], { stdio: 'ignore' })
    const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null]
    return signal === null ? code : 128 + 9
  }

  t.test('dirty pages of a writer match memory.stat', async (t) => {
    const cg = makeChild(`${tag}-dirty`, 128 * MiB)
    const file = `${tmpdir()}/${tag}.dat`
    t.teardown(async () => {
      rmSync(file, { force: true })
      await removeChild(cg)
    })
    // 96 MiB of page cache, written faster than the disk takes it: v1 has no per-cgroup
    // dirty throttling, so most of it is still dirty when dd exits (docs/kernel.md §4.1).
    const code = await runIn(cg, `dd if=/dev/zero of=${file} bs=1M count=96 status=none`)
    t.equal(code, 0, 'the writer finished')
    const { agent } = await agentFor(cg)
    t.teardown(() => agent.stop())

    const before = statValue(cg, 'total_dirty')
    await agent.core.collector.collect()
    const after = statValue(cg, 'total_dirty')
    const snap = agent.core.snapshot()
    const row = snap?.containers.find((c) => c.id === cg.rel)
    t.ok(row, 'memlens reports our cgroup by its path')
    const dirty = row?.memory.dirtyBytes ?? -1
    t.ok(before > 16 * MiB, `the writer left dirty pages (${before} bytes)`)
    t.ok(
      dirty >= Math.min(before, after) && dirty <= Math.max(before, after),
      `memlens dirty ${dirty} within memory.stat's ${before}..${after}`,
    )
    t.equal(row?.memory.usageBytes !== null && (row?.memory.usageBytes ?? 0) > 0, true, 'usage present')
    t.equal(row?.memory.limitBytes, 128 * MiB, 'the limit we set')
    const usage = row?.memory.usageBytes ?? 0
    const inactive = row?.memory.inactiveFileBytes ?? 0
    t.equal(row?.memory.workingSetBytes, Math.max(0, usage - inactive), 'working set = usage − inactive_file')
    const peak = agent.core.collector.latest?.containers.find((c) => c.ref.id === cg.rel)?.peaks?.dirtyWritebackBytes ?? 0
    t.ok(peak >= dirty, `the dirty + writeback peak (${peak}) holds at least the dirty pages`)
    t.match(
      await agent.metrics(),
      new RegExp(`memlens_container_memory_dirty_writeback_window_max_bytes\\{id="${cg.rel}",namespace="",pod="",container=""\\} \\d+`),
    )
    t.ok((row?.memory.cacheBytes ?? 0) >= dirty, 'dirty pages are page cache')
    t.ok((row?.memory.rssBytes ?? Infinity) < 8 * MiB, 'while RSS is tiny')
    const metrics = await agent.metrics()
    t.match(metrics, new RegExp(`memlens_container_memory_dirty_bytes\\{id="${cg.rel}",namespace="",pod="",container=""\\} \\d+`))
  })

  t.test('a process OOM-killed at its limit is counted', async (t) => {
    const cg = makeChild(`${tag}-oom`, 32 * MiB)
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
  })

  t.test('a process that allocates until it is OOM-killed is explained as anon, naming it', async (t) => {
    const cg = makeChild(`${tag}-explain`, 96 * MiB)
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
    t.equal(oom?.id, cg.rel)
    t.ok((oom?.message ?? '').includes(nodeComm()), `the message names the process (${nodeComm()})`)
    t.ok(
      logs.some((l) => l['cause'] === 'anon' && typeof l['msg'] === 'string' && l['msg'].startsWith('OOM kill explained')),
      'logged',
    )
    const kernel = oom?.fromKernelReport === true ? 'the kernel report' : 'the samples (the kernel log was not readable)'
    t.pass(`numbers from ${kernel}`)
  })

  t.test("a holder's process RSS is the sum of its VmRSS", async (t) => {
    const cg = makeChild(`${tag}-holder`, 256 * MiB)
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
    t.equal(row?.processes?.largest[0]?.pid, pid)
    t.equal(row?.processes?.largest[0]?.comm, nodeComm(), 'its comm, as /proc shows it')
  })

  t.test('a cgroup removed while memlens runs leaves no series and no error', async (t) => {
    const parent = makeChild(`${tag}-churn`)
    const child = makeChild(`${tag}-churn/short-lived`)
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
    t.same(
      logs.filter((l) => Number(l['level']) >= 40),
      [],
      'no warning or error logged',
    )
  })
}
