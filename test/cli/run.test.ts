import { readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { PassThrough } from 'node:stream'
import t, { type Test } from 'tap'
import { pino } from 'pino'
import type { SnapshotJson } from '../../agent/expose/snapshot-json.js'
import { runCli, type CliIo } from '../../agent/cli/run.js'
import { buildTree } from '../fixtures/trees.js'
import { until } from '../helpers/wait.js'

function io(extra: Partial<CliIo> = {}): CliIo & { out: () => string } {
  let text = ''
  const stdout = Object.assign(new PassThrough(), { columns: 100 })
  stdout.on('data', (d: Buffer) => (text += d.toString()))
  return {
    env: {},
    stdout,
    stderr: new PassThrough(),
    stdin: new PassThrough(),
    logger: pino({ level: 'silent' }),
    ...extra,
    out: () => text,
  }
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
  t.same(Object.keys(c ?? {}), [
    'id',
    'podUid',
    'containerId',
    'qos',
    'namespace',
    'pod',
    'container',
    'memory',
    'events',
    'pressure',
    'processes',
    'oom',
  ])
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

t.test("-h, help and --version exit 0; the version is the package's", async (t) => {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
  for (const argv of [['-h'], ['help'], ['help', 'top'], ['snapshot', '--help']]) {
    const cli = io()
    t.equal(await runCli(argv, cli), 0, argv.join(' '))
    t.match(cli.out(), /^memlens: .*\n\nUsage: memlens/, argv.join(' '))
  }
  const version = io()
  t.equal(await runCli(['--version'], version), 0)
  t.equal(version.out(), `memlens ${pkg.version}\n`)
})

t.test('top --pods and MEMLENS_PODS show pods', async (t) => {
  const tree = buildTree(t.testdir({}), { version: 'v2', layout: 'kind' })
  for (const [argv, env] of [
    [['--pods'], {}],
    [[], { MEMLENS_PODS: '1' }],
  ] as const) {
    const abort = new AbortController()
    const cli = io({ signal: abort.signal, env })
    const done = runCli(['top', '--cgroup-root', tree.cgroupRoot, '--interval', '100ms', ...argv], cli)
    await until('the first table', () => cli.out().includes('NAME'))
    abort.abort()
    t.equal(await done, 0)
    t.match(cli.out(), /^cgroup v2, kubernetes, 3 pods/, `${argv.join(' ')} ${JSON.stringify(env)}`)
  }
})

t.test('snapshot --json --sort orders containers and pods as the table does', async (t) => {
  const tree = buildTree(t.testdir({}), { version: 'v2', layout: 'systemd-containerd' })
  const byName = io()
  t.equal(await runCli(['snapshot', '--json', '--sort', 'name', '--scope', 'all', '--cgroup-root', tree.cgroupRoot], byName), 0)
  const ids = (JSON.parse(byName.out()) as SnapshotJson).containers.map((c) => c.id)
  t.ok(ids.length > 5)
  t.same(ids, [...ids].sort(), 'by name: in --scope all the name is the path')
  for (const key of ['rss', 'wset'] as const) {
    const cli = io()
    t.equal(await runCli(['snapshot', '--json', '--sort', key, '--cgroup-root', tree.cgroupRoot], cli), 0)
    const snap = JSON.parse(cli.out()) as SnapshotJson
    const field = key === 'rss' ? 'rssBytes' : 'workingSetBytes'
    for (const list of [snap.containers, snap.pods]) {
      const values = list.map((c) => c.memory[field] ?? -1)
      t.same(
        values,
        [...values].sort((a, b) => b - a),
        `${key}: largest first`,
      )
    }
  }
})

t.test('a --cgroup-parent that does not exist is a usage error', async (t) => {
  const tree = buildTree(t.testdir({}), { version: 'v1', layout: 'cgroupfs-containerd' })
  for (const command of ['snapshot', 'top', 'serve']) {
    await t.rejects(
      runCli(
        [
          command,
          '--cgroup-root',
          tree.cgroupRoot,
          '--cgroup-parent',
          '/nope',
          ...(command === 'serve' ? ['--listen', '127.0.0.1:0'] : []),
        ],
        io(),
      ),
      { name: 'ConfigError', message: `--cgroup-parent: "/nope" is not a cgroup under ${tree.hierarchyRoot}` },
      command,
    )
  }
})

t.test('into a pipe, snapshot and top print names in full', async (t) => {
  const tree = buildTree(t.testdir({}), { version: 'v2', layout: 'systemd-containerd' })
  const longest = [...tree.cgroups].sort((a, b) => b.length - a.length)[0] ?? ''
  t.ok(longest.length > 100, `a long cgroup id (${longest.length})`)
  const snap = io()
  t.equal(await runCli(['snapshot', '--scope', 'all', '--cgroup-root', tree.cgroupRoot], snap), 0)
  t.ok(snap.out().includes(`\n${longest} `), 'snapshot: the full id')
  t.notMatch(snap.out(), /…/)
  const abort = new AbortController()
  const top = io({ signal: abort.signal })
  const done = runCli(['top', '--scope', 'all', '--interval', '100ms', '--cgroup-root', tree.cgroupRoot], top)
  await until('the first table', () => top.out().includes('\n\n'))
  abort.abort()
  t.equal(await done, 0)
  t.ok(top.out().includes(`\n${longest} `), 'top: the full id')
  t.notMatch(top.out(), /…/)
})

/** serve until the banner is out; returns it and a function that stops serving. */
async function serveBanner(t: Test, argv: string[]): Promise<{ banner: string; stop: () => Promise<void> }> {
  const abort = new AbortController()
  const cli = io({ signal: abort.signal })
  const done = runCli(['serve', ...argv], cli)
  const stop = async (): Promise<void> => {
    abort.abort()
    t.equal(await done, 0)
  }
  await until('the banner', () => cli.out().includes('health:'))
  return { banner: cli.out(), stop }
}

t.test('the banner says what serve watches under --cgroup-parent', async (t) => {
  const tree = buildTree(t.testdir({}), { version: 'v2', layout: 'systemd-containerd' })
  const other = tree.others[0] ?? ''
  const parent = other.split('/').slice(0, 2).join('/')
  const all = await serveBanner(t, [
    '--cgroup-root',
    tree.cgroupRoot,
    '--listen',
    '127.0.0.1:0',
    '--scope',
    'all',
    '--cgroup-parent',
    parent,
  ])
  await all.stop()
  t.match(all.banner, new RegExp(`^memlens watching the cgroups under ${parent} \\(cgroup v2 at `))
  t.notMatch(all.banner, /every cgroup/)
  const k8s = await serveBanner(t, ['--cgroup-root', tree.cgroupRoot, '--listen', '127.0.0.1:0', '--cgroup-parent', '/kubepods.slice'])
  await k8s.stop()
  t.match(k8s.banner, /^memlens watching pods and containers under \/kubepods\.slice \(/)
  const whole = await serveBanner(t, ['--cgroup-root', tree.cgroupRoot, '--listen', '127.0.0.1:0', '--scope', 'all'])
  await whole.stop()
  t.match(whole.banner, /^memlens watching every cgroup \(/)
})

async function ipv6Loopback(): Promise<boolean> {
  const server = createServer()
  return new Promise((resolve) => {
    server.once('error', () => resolve(false))
    server.listen(0, '::1', () => server.close(() => resolve(true)))
  })
}

t.test('--listen :PORT answers on IPv4 and, where the host has it, IPv6', async (t) => {
  const tree = buildTree(t.testdir({}), { version: 'v2', layout: 'kind' })
  const served = await serveBanner(t, ['--cgroup-root', tree.cgroupRoot, '--listen', ':0'])
  try {
    const port = /health: +http:\/\/\S+:(\d+)\/healthz/.exec(served.banner)?.[1]
    t.ok(port, served.banner)
    t.equal((await fetch(`http://127.0.0.1:${port}/healthz`)).status, 200, 'IPv4')
    if (await ipv6Loopback()) t.equal((await fetch(`http://[::1]:${port}/healthz`)).status, 200, 'IPv6')
    else t.comment('no IPv6 on this host: only IPv4 checked')
  } finally {
    await served.stop()
  }
})

t.test('snapshot --json: names are null until Kubernetes names the cgroup', async (t) => {
  const tree = buildTree(t.testdir({}), { version: 'v2', layout: 'kind' })
  const cli = io()
  t.equal(await runCli(['snapshot', '--json', '--cgroup-root', tree.cgroupRoot], cli), 0)
  const snap = JSON.parse(cli.out()) as SnapshotJson
  for (const c of snap.containers) t.same([c.namespace, c.pod, c.container], [null, null, null], c.id)
  for (const p of snap.pods) t.same([p.namespace, p.pod], [null, null], p.id)
})
