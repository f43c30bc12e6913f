import { PassThrough } from 'node:stream'
import t from 'tap'
import { pino } from 'pino'
import type { SnapshotJson } from '../../agent/expose/snapshot-json.js'
import { runCli, type CliIo } from '../../agent/cli/run.js'
import { buildTree } from '../fixtures/trees.js'
import { until } from '../helpers/wait.js'

function io(extra: Partial<CliIo> = {}): CliIo & { out: () => string } {
  let text = ''
  const stdout = Object.assign(new PassThrough(), { columns: 100 })
  stdout.on('data', (d: Buffer) => (text += d.toString()))
  return { env: {}, stdout, stderr: new PassThrough(), stdin: new PassThrough(), logger: pino({ level: 'silent' }), ...extra, out: () => text }
}

t.test('snapshot --json prints the documented shape', async (t) => {
  const tree = buildTree(t.testdir({}), { version: 'v1', layout: 'cgroupfs-containerd' })
  const cli = io()
  t.equal(await runCli(['snapshot', '--json', '--cgroup-root', tree.cgroupRoot], cli), 0)
  const snap = JSON.parse(cli.out()) as SnapshotJson
  t.equal(snap.cgroupVersion, 'v1')
  t.equal(snap.scope, 'kubernetes')
  t.equal(snap.pods.length, tree.pods.length)
  const c = snap.containers[0]
  t.ok(c)
  t.same(Object.keys(c ?? {}), ['id', 'podUid', 'containerId', 'qos', 'namespace', 'pod', 'container', 'memory', 'events', 'pressure', 'processes', 'oom'])
  t.match(c?.podUid, /^[0-9a-f]{8}-[0-9a-f]{4}-/, 'podUid keeps its dashes')
  t.equal(c?.memory.dirtyBytes, 22020096, 'numbers from the v1 capture')
  t.equal(c?.events.high, null, 'absent is null, never 0')
  t.equal(c?.pressure.waitingSeconds, null)
  t.equal(c?.oom, null, 'no kills explained')
})

t.test('snapshot prints a table, pods with --pods', async (t) => {
  const tree = buildTree(t.testdir({}), { version: 'v2', layout: 'systemd-crio' })
  const cli = io()
  t.equal(await runCli(['snapshot', '--cgroup-root', tree.cgroupRoot, '--sort', 'dirty'], cli), 0)
  t.match(cli.out(), /^cgroup v2, kubernetes, \d+ containers/)
  t.match(cli.out(), /NAME +WSET +RSS +PRSS +CACHE +DIRTY +WRBACK +LIMIT +%LIM +OOM\n/, 'all columns at 100 columns')
  const pods = io()
  t.equal(await runCli(['snapshot', '--pods', '--cgroup-root', tree.cgroupRoot], pods), 0)
  t.match(pods.out(), /3 pods/)
})

t.test('--help prints the usage and exits 0', async (t) => {
  const cli = io()
  t.equal(await runCli(['--help'], cli), 0)
  t.match(cli.out(), /Usage: memlens/)
})

t.test('top without a terminal prints plain tables until stopped', async (t) => {
  const tree = buildTree(t.testdir({}), { version: 'v2', layout: 'kind' })
  const abort = new AbortController()
  const cli = io({ signal: abort.signal })
  const done = runCli(['top', '--cgroup-root', tree.cgroupRoot, '--interval', '100ms'], cli)
  await until('the first table', () => cli.out().includes('NAME'))
  abort.abort()
  t.equal(await done, 0)
  t.notMatch(cli.out(), /\x1b\[/, 'no escape codes into a pipe')
  t.match(cli.out(), /cgroup v2, kubernetes/)
})
