import { rmSync, writeFileSync } from 'node:fs'
import t from 'tap'
import { agentFrom } from '../helpers/agent.js'
import { FakeTimers } from '../helpers/fake-timers.js'
import { until } from '../helpers/wait.js'
import { buildTree } from '../fixtures/trees.js'

t.test('a malformed file skips its cgroup for the cycle, is counted, and is logged once', async (t) => {
  const tree = buildTree(t.testdir({}), { version: 'v2', layout: 'cgroupfs-containerd' })
  const victim = tree.pods[0]?.containers[0]
  if (victim === undefined) throw new Error('fixture has a container')
  const stat = `${tree.hierarchyRoot}${victim.path}/memory.stat`
  writeFileSync(stat, 'anon 1\nfile_dirty lots\n')
  const { agent, logs } = await agentFrom(['--cgroup-root', tree.cgroupRoot])
  t.teardown(() => agent.stop())

  const first = await agent.core.collector.collect()
  t.notOk(
    first.containers.some((c) => c.ref.id === victim.path),
    'the broken cgroup is skipped',
  )
  t.equal(first.containers.length, tree.pods.flatMap((p) => p.containers).length - 1, 'every other container is read')
  await agent.core.collector.collect()
  const warnings = logs.filter((l) => l['msg'] === 'cannot read cgroup; skipped this cycle')
  t.equal(warnings.length, 1, 'logged once, not every cycle')
  t.match(warnings[0], {
    level: 40,
    cgroup: victim.path,
    reason: 'parse',
    err: /memory\.stat:2: value of file_dirty is not an integer in \[0, 2\^63\): "file_dirty lots"/,
  })
  t.match(await agent.metrics(), /memlens_collect_errors_total\{reason="parse"\} 2\n/, 'counted every cycle')

  writeFileSync(stat, 'anon 1\nfile_dirty 2\n')
  const healed = await agent.core.collector.collect()
  t.ok(
    healed.containers.some((c) => c.ref.id === victim.path),
    'read again once the file is sane',
  )
  t.ok(
    logs.some((l) => l['msg'] === 'cgroup readable again' && l['cgroup'] === victim.path),
    'the recovery is logged',
  )
})

t.test('a parent that goes away is a discovery error, not a crash', async (t) => {
  const tree = buildTree(t.testdir({}), { version: 'v1', layout: 'systemd-containerd' })
  // One that does not exist at start is a usage error (test/cli/run.test.ts); this one was removed since.
  const parent = (tree.others[0] ?? '').split('/').slice(0, 2).join('/')
  const { agent, logs } = await agentFrom(['--cgroup-root', tree.cgroupRoot, '--scope', 'all', '--cgroup-parent', parent])
  t.teardown(() => agent.stop())
  rmSync(tree.hierarchyRoot + parent, { recursive: true })
  const snap = await agent.core.collector.collect()
  t.equal(snap.containers.length + snap.pods.length, 0)
  t.ok(logs.some((l) => l['reason'] === 'discovery' && /does not exist/.test(String(l['err']))))
  t.match(await agent.metrics(), /memlens_collect_errors_total\{reason="discovery"\} 1\n/)
})

t.test('polling runs a cycle every interval and stops cleanly', async (t) => {
  const tree = buildTree(t.testdir({}), { version: 'v2', layout: 'cgroupfs-containerd' })
  const timers = new FakeTimers()
  const { agent } = await agentFrom(['--cgroup-root', tree.cgroupRoot, '--interval', '5s'], undefined, timers)
  let cycles = 0
  agent.core.collector.onSnapshot(() => void cycles++)
  agent.core.startPolling()
  await until('the first cycle', () => cycles === 1 && timers.pending === 1)
  t.equal(cycles, 1, 'the first cycle runs at once')
  timers.advance(4999)
  t.equal(cycles, 1, 'nothing before the interval has passed')
  timers.advance(1)
  await until('the second cycle', () => cycles === 2 && timers.pending === 1)
  timers.advance(5000)
  await until('the third cycle', () => cycles === 3 && timers.pending === 1)
  await agent.stop()
  t.equal(timers.pending, 0, 'stop() cancelled the next cycle')
  timers.advance(60_000)
  t.equal(cycles, 3, 'no cycle after stop')
})
