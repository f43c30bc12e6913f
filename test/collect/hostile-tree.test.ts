// A cgroup tree a hostile neighbour (or a broken bind mount) could present: FIFOs, links,
// directories and endless files where files should be, impossible values, missing and empty
// required files, empty pod directories by the dozen, a tree too deep to walk. Each is counted
// in memlens_collect_errors_total, logged once (at most WARNINGS_PER_CYCLE one by one per
// cycle), the rest of the node is read as usual, and nothing hangs.
import { cpSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { WARNINGS_PER_CYCLE } from '../../agent/collect/collector.js'
import { MAX_FILE_BYTES } from '../../agent/kernel/fs.js'
import { buildTree, type TreeInfo } from '../fixtures/trees.js'
import { agentFrom } from '../helpers/agent.js'
import { makeFifo } from '../helpers/fifo.js'

const captures = fileURLToPath(new URL('../fixtures/captures', import.meta.url))
const READ_WARNING = 'cannot read cgroup; skipped this cycle'

const counter = (metrics: string, reason: string): number =>
  Number(new RegExp(`memlens_collect_errors_total\\{reason="${reason}"\\} (\\d+)`).exec(metrics)?.[1] ?? NaN)

function containers(tree: TreeInfo): readonly string[] {
  return tree.pods.flatMap((p) => p.containers.map((c) => c.path))
}

t.test('odd files and impossible values: each counted and logged once, the rest read', async (t) => {
  const tree = buildTree(t.testdir({}), { version: 'v2', layout: 'cgroupfs-containerd' })
  const at = (path: string, file: string): string => `${tree.hierarchyRoot}${path}/${file}`
  const [c0, c1, c2, c3, c4, c5, healthy] = containers(tree)
  const pod0 = tree.pods[0]?.path
  if (
    c0 === undefined ||
    c1 === undefined ||
    c2 === undefined ||
    c3 === undefined ||
    c4 === undefined ||
    c5 === undefined ||
    healthy === undefined ||
    pod0 === undefined
  ) {
    throw new Error('fixture has 7 containers')
  }
  // What each broken cgroup must be reported as.
  const expected = new Map<string, { reason: string; err: RegExp }>([
    [c0, { reason: 'io', err: /ENOTREG: not a regular file \(a FIFO\), refused '.*\/memory\.stat'/ }],
    [c1, { reason: 'io', err: /ELOOP: .*memory\.max/ }],
    [c2, { reason: 'io', err: /EFBIG: longer than 1048576 bytes, refused '.*\/memory\.stat'/ }],
    [c3, { reason: 'parse', err: /memory\.stat:1: value of anon is not an integer in \[0, 2\^63\): "anon -4096"/ }],
    [c4, { reason: 'io', err: /EMISSING: a required file is missing from a cgroup directory that exists, '.*\/memory\.stat'/ }],
    [c5, { reason: 'parse', err: /memory\.stat:1: empty, but the kernel always fills it/ }],
    [pod0, { reason: 'io', err: /ENOTREG: not a regular file \(a directory\), refused '.*\/memory\.current'/ }],
  ])
  rmSync(at(c0, 'memory.stat'))
  makeFifo(t, at(c0, 'memory.stat'))
  rmSync(at(c1, 'memory.max'))
  symlinkSync('memory.max', at(c1, 'memory.max'))
  writeFileSync(at(c2, 'memory.stat'), 'anon 1\n'.repeat(MAX_FILE_BYTES / 4))
  writeFileSync(at(c3, 'memory.stat'), 'anon -4096\nfile 1\n')
  rmSync(at(c4, 'memory.stat'))
  writeFileSync(at(c5, 'memory.stat'), '')
  rmSync(at(pod0, 'memory.current'))
  mkdirSync(at(pod0, 'memory.current'))

  const { agent, logs } = await agentFrom(['--cgroup-root', tree.cgroupRoot])
  t.teardown(() => agent.stop())
  const first = await agent.core.collector.collect()
  t.strictSame(
    first.containers.map((c) => c.ref.id),
    [healthy],
    'only the healthy container is in the snapshot',
  )
  t.equal(first.pods.length, tree.pods.length - 1, 'the other pods are read')
  await agent.core.collector.collect()
  const warnings = logs.filter((l) => l['msg'] === READ_WARNING)
  t.equal(warnings.length, expected.size, 'one warning per broken cgroup over two cycles')
  for (const [cgroup, want] of expected) {
    t.match(
      warnings.filter((w) => w['cgroup'] === cgroup),
      [{ level: 40, reason: want.reason, err: want.err }],
      cgroup,
    )
  }
  const metrics = await agent.metrics()
  t.equal(counter(metrics, 'io'), 2 * 5, 'io: counted every cycle')
  t.equal(counter(metrics, 'parse'), 2 * 2, 'parse: counted every cycle')

  // Put everything back: all of it is read again, and the recoveries are logged.
  rmSync(at(c0, 'memory.stat'))
  rmSync(at(c1, 'memory.max'))
  rmSync(at(pod0, 'memory.current'), { recursive: true })
  for (const [path, file] of [
    [c0, 'memory.stat'],
    [c1, 'memory.max'],
    [c2, 'memory.stat'],
    [c3, 'memory.stat'],
    [c4, 'memory.stat'],
    [c5, 'memory.stat'],
    [pod0, 'memory.current'],
  ] as const) {
    cpSync(`${captures}/cgroup-v2-linux-6.18-idle/${file}`, at(path, file))
  }
  const healed = await agent.core.collector.collect()
  t.equal(healed.containers.length, containers(tree).length, 'every container read again')
  t.equal(healed.pods.length, tree.pods.length)
  t.equal(logs.filter((l) => l['msg'] === 'cgroup readable again').length, expected.size)
})

t.test('a hundred empty pod directories are counted, and the log says so in one line', async (t) => {
  const tree = buildTree(t.testdir({}), { version: 'v2', layout: 'cgroupfs-containerd' })
  const besteffort = tree.pods.find((p) => p.qos === 'besteffort')?.path
  if (besteffort === undefined) throw new Error('fixture has a besteffort pod')
  const n = 100
  for (let i = 0; i < n; i++)
    mkdirSync(`${tree.hierarchyRoot}${dirname(besteffort)}/pod00000000-0000-4000-8000-${String(i).padStart(12, '0')}`)
  const { agent, logs } = await agentFrom(['--cgroup-root', tree.cgroupRoot])
  t.teardown(() => agent.stop())
  const snap = await agent.core.collector.collect()
  t.equal(snap.pods.length, tree.pods.length, 'the real pods are read')
  t.equal(snap.containers.length, containers(tree).length)
  await agent.core.collector.collect()
  const warnings = logs.filter((l) => l['msg'] === READ_WARNING)
  t.equal(warnings.length, WARNINGS_PER_CYCLE, 'a bounded number logged one by one')
  t.match(warnings[0], { reason: 'io', err: /EMISSING: .*\(no memory controller here\?\), '.*\/memory\.current'/ })
  const summaries = logs.filter((l) => typeof l['more'] === 'number')
  t.match(summaries, [{ level: 40, more: n - WARNINGS_PER_CYCLE, reasons: { io: n - WARNINGS_PER_CYCLE } }], 'the rest in one line, once')
  t.equal(counter(await agent.metrics(), 'io'), 2 * n, 'every one counted, every cycle')
  t.equal(logs.filter((l) => l['msg'] === 'cgroup readable again').length, 0)
})

t.test('a cgroup that can be neither listed nor read logs each failure once, not every cycle', async (t) => {
  const tree = buildTree(t.testdir({}), { version: 'v2', layout: 'cgroupfs-containerd' })
  symlinkSync('loop', `${tree.hierarchyRoot}/loop`)
  const { agent, logs } = await agentFrom(['--cgroup-root', tree.cgroupRoot, '--scope', 'all', '--cgroup-parent', '/loop'])
  t.teardown(() => agent.stop())
  for (let i = 0; i < 4; i++) await agent.core.collector.collect()
  const warnings = logs.filter((l) => l['level'] === 40)
  t.match(
    warnings,
    [
      { cgroup: '/loop', reason: 'discovery', err: /ELOOP/ },
      { cgroup: '/loop', reason: 'io', err: /ELOOP/ },
    ],
    'the listing and the reading, once each',
  )
  t.equal(warnings.length, 2)
  const metrics = await agent.metrics()
  t.equal(counter(metrics, 'discovery'), 4)
  t.equal(counter(metrics, 'io'), 4)
})

t.test('scope all: a cgroup without the memory controller, and the v2 root, are skipped quietly', async (t) => {
  const tree = buildTree(t.testdir({}), { version: 'v2', layout: 'cgroupfs-containerd' })
  mkdirSync(`${tree.hierarchyRoot}/no-memory-controller/child`, { recursive: true })
  writeFileSync(`${tree.hierarchyRoot}/no-memory-controller/cgroup.procs`, '')
  const { agent, logs } = await agentFrom(['--cgroup-root', tree.cgroupRoot, '--scope', 'all'])
  t.teardown(() => agent.stop())
  const snap = await agent.core.collector.collect()
  const ids = snap.containers.map((c) => c.ref.id)
  t.notOk(ids.includes('/'), 'the v2 root has no memory.current')
  t.notOk(ids.some((id) => id.startsWith('/no-memory-controller')))
  t.ok(ids.includes(tree.pods[0]?.containers[0]?.path ?? ''), 'the rest is read')
  t.equal(logs.filter((l) => l['level'] === 40).length, 0, 'no warning')
  t.equal(counter(await agent.metrics(), 'io'), 0, 'no count')
  // A memory cgroup (it has memory.stat) that lost memory.current is not that case.
  cpSync(`${captures}/cgroup-v2-linux-6.18-idle/memory.stat`, `${tree.hierarchyRoot}/no-memory-controller/memory.stat`)
  cpSync(`${captures}/cgroup-v2-linux-6.18-idle/memory.max`, `${tree.hierarchyRoot}/no-memory-controller/memory.max`)
  await agent.core.collector.collect()
  t.equal(counter(await agent.metrics(), 'io'), 0, 'still quiet: outside the pod tree the first file decides')
})

t.test('a tree deeper than discovery walks is cut off with one error, the rest read', async (t) => {
  const tree = buildTree(t.testdir({}), { version: 'v2', layout: 'cgroupfs-containerd' })
  let deep = `${tree.hierarchyRoot}/deep`
  for (let i = 0; i < 40; i++) deep += '/d'
  mkdirSync(deep, { recursive: true })
  const { agent, logs } = await agentFrom(['--cgroup-root', tree.cgroupRoot, '--scope', 'all'])
  t.teardown(() => agent.stop())
  const snap = await agent.core.collector.collect()
  await agent.core.collector.collect()
  t.ok(
    snap.containers.some((c) => c.ref.id === tree.pods[0]?.containers[0]?.path),
    'the rest is read',
  )
  const cut = logs.filter((l) => l['reason'] === 'discovery')
  t.match(cut, [{ level: 40, err: /ETOODEEP: more than 32 levels below \/; not descending further/ }], 'logged once')
  t.equal(counter(await agent.metrics(), 'discovery'), 2, 'counted every cycle')
})
