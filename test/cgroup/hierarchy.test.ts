import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import t from 'tap'
import { findHierarchy, HierarchyError, resolveScope } from '../../agent/cgroup/hierarchy.js'
import { buildTree } from '../fixtures/trees.js'
import { thrownBy } from '../helpers/thrown.js'

// Lines as a hybrid host (this project's machines) prints them, with `root` as the cgroup mount.
function hybridMountinfo(root: string): string {
  return [
    '22 26 0:21 / /sys rw,relatime - sysfs sysfs rw',
    `30 22 0:27 / ${root} rw,relatime - tmpfs tmpfs rw,mode=755`,
    `31 30 0:28 / ${root}/cpu rw,relatime - cgroup cgroup rw,cpu`,
    `34 30 0:31 / ${root}/memory rw,relatime shared:9 - cgroup cgroup rw,memory`,
    `40 30 0:37 / ${root}/unified rw,relatime - cgroup2 cgroup2 rw`,
    '',
  ].join('\n')
}

function v2Mountinfo(root: string): string {
  return `35 24 0:30 / ${root} rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot\n`
}

t.test('findHierarchy', async (t) => {
  t.test('v2', async (t) => {
    const dir = t.testdir()
    buildTree(dir, { version: 'v2', layout: 'systemd-containerd' })
    t.strictSame(findHierarchy({ cgroupRoot: dir }), { version: 'v2', root: dir })
    t.strictSame(findHierarchy({ cgroupRoot: `${dir}/` }), { version: 'v2', root: dir }, 'trailing slash')
  })

  t.test('v1 on a hybrid host: unified/ without memory does not win', async (t) => {
    const dir = t.testdir()
    buildTree(dir, { version: 'v1', layout: 'cgroupfs-containerd' })
    t.strictSame(findHierarchy({ cgroupRoot: dir }), { version: 'v1', root: `${dir}/memory` })
  })

  t.test('v2 memory on unified/ of a hybrid host', async (t) => {
    const dir = t.testdir({ unified: { 'cgroup.controllers': 'cpu memory pids\n' } })
    t.strictSame(findHierarchy({ cgroupRoot: dir }), { version: 'v2', root: `${dir}/unified` })
  })

  t.test('v2 root whose cgroup.controllers lacks memory, and no v1', async (t) => {
    const dir = t.testdir({ 'cgroup.controllers': 'cpuset cpu io pids\n' })
    t.throws(() => findHierarchy({ cgroupRoot: dir }), HierarchyError)
    t.throws(() => findHierarchy({ cgroupRoot: dir }), { message: /cgroup\.controllers lists "cpuset cpu io pids", not memory/ })
  })

  t.test('nothing there: says what was looked for where, and suggests --cgroup-root', async (t) => {
    const dir = t.testdir({ memory: {} })
    const er = thrownBy(() => findHierarchy({ cgroupRoot: dir }))
    t.type(er, HierarchyError)
    t.equal((er as HierarchyError).code, 'ENOHIERARCHY')
    const msg = (er as Error).message
    t.match(msg, `${dir}/cgroup.controllers does not exist`)
    t.match(msg, `${dir}/memory/memory.usage_in_bytes does not exist`)
    t.match(msg, '--cgroup-root')
    t.throws(() => findHierarchy({ cgroupRoot: `${dir}/missing` }), HierarchyError)
  })

  t.test('nothing there, but mountinfo knows where memory is mounted', async (t) => {
    const dir = t.testdir({ mountinfo: hybridMountinfo('/elsewhere/cgroup'), root: {} })
    t.throws(() => findHierarchy({ cgroupRoot: `${dir}/root`, mountinfoPath: `${dir}/mountinfo` }), {
      message: /lists cgroup \[rw,memory\] at \/elsewhere\/cgroup\/memory, cgroup2 at \/elsewhere\/cgroup\/unified/,
    })
  })

  t.test('mountinfo confirms v1 and v2', async (t) => {
    const v1 = t.testdir()
    buildTree(v1, { version: 'v1', layout: 'cgroupfs-docker' })
    writeFileSync(`${v1}/mountinfo`, hybridMountinfo(v1))
    t.strictSame(findHierarchy({ cgroupRoot: v1, mountinfoPath: `${v1}/mountinfo` }), { version: 'v1', root: `${v1}/memory` })

    const v2 = t.testdir()
    buildTree(v2, { version: 'v2', layout: 'cgroupfs-docker' })
    writeFileSync(`${v2}/mountinfo`, v2Mountinfo(v2))
    t.strictSame(findHierarchy({ cgroupRoot: v2, mountinfoPath: `${v2}/mountinfo` }), { version: 'v2', root: v2 })
  })

  t.test('a v1 memory controller mounted jointly and reached through a symlink', async (t) => {
    const dir = t.testdir({ 'cpuset,memory': { 'memory.usage_in_bytes': '4096\n' } })
    symlinkSync('cpuset,memory', `${dir}/memory`)
    writeFileSync(`${dir}/mountinfo`, `34 30 0:31 / ${dir}/cpuset,memory rw - cgroup cgroup rw,cpuset,memory\n`)
    t.strictSame(findHierarchy({ cgroupRoot: dir, mountinfoPath: `${dir}/mountinfo` }), { version: 'v1', root: `${dir}/memory` })
  })

  t.test('mountinfo disagrees', async (t) => {
    const v2 = t.testdir()
    buildTree(v2, { version: 'v2', layout: 'kind' })
    writeFileSync(`${v2}/mountinfo`, `30 22 0:27 / ${v2} rw,relatime - tmpfs tmpfs rw\n`)
    t.throws(() => findHierarchy({ cgroupRoot: v2, mountinfoPath: `${v2}/mountinfo` }), {
      name: 'HierarchyError',
      message: new RegExp(`look like cgroup v2, but ${v2}/mountinfo disagrees: expected a cgroup2 mount at ${v2}, it has tmpfs`),
    })

    const v1 = t.testdir()
    buildTree(v1, { version: 'v1', layout: 'kind' })
    writeFileSync(`${v1}/mountinfo`, `34 30 0:31 / ${v1}/memory rw - cgroup cgroup rw,cpu\n`)
    t.throws(() => findHierarchy({ cgroupRoot: v1, mountinfoPath: `${v1}/mountinfo` }), {
      message: /expected a cgroup mount with the memory controller at .*\/memory, it has cgroup \[rw,cpu\]/,
    })
    writeFileSync(`${v1}/mountinfo`, '')
    t.throws(() => findHierarchy({ cgroupRoot: v1, mountinfoPath: `${v1}/mountinfo` }), { message: /nothing is mounted there/ })
  })

  t.test('the last mount at a mount point is the one visible', async (t) => {
    const dir = t.testdir()
    buildTree(dir, { version: 'v2', layout: 'kind' })
    writeFileSync(`${dir}/mountinfo`, v2Mountinfo(dir) + `99 35 0:40 / ${dir} rw - tmpfs tmpfs rw\n`)
    t.throws(() => findHierarchy({ cgroupRoot: dir, mountinfoPath: `${dir}/mountinfo` }), { message: /it has tmpfs/ })
  })

  t.test('unreadable mountinfo', async (t) => {
    const dir = t.testdir()
    buildTree(dir, { version: 'v2', layout: 'kind' })
    t.throws(() => findHierarchy({ cgroupRoot: dir, mountinfoPath: `${dir}/nope` }), {
      name: 'HierarchyError',
      message: /cannot read .*nope/,
    })
  })

  const hasCgroupMemory =
    existsSync('/sys/fs/cgroup/memory/memory.usage_in_bytes') || /\bmemory\b/.test(readOr('/sys/fs/cgroup/cgroup.controllers'))
  t.test('this machine', { skip: !hasCgroupMemory && 'no cgroup memory controller at /sys/fs/cgroup' }, async (t) => {
    const h = findHierarchy({ cgroupRoot: '/sys/fs/cgroup', mountinfoPath: '/proc/self/mountinfo' })
    t.match(h, { version: /^v[12]$/ })
    t.comment(`this machine: cgroup ${h.version} at ${h.root}`)
  })
})

t.test('resolveScope', async (t) => {
  const explicit = { version: 'v2', root: '/nonexistent' } as const
  t.equal(resolveScope(explicit, 'kubernetes'), 'kubernetes')
  t.equal(resolveScope(explicit, 'all'), 'all')
  t.equal(resolveScope(explicit, 'auto'), 'all', 'a missing root has no kubepods')

  for (const layout of ['cgroupfs-containerd', 'systemd-crio', 'kind'] as const) {
    const dir = t.testdir()
    const tree = buildTree(dir, { version: 'v1', layout })
    t.equal(resolveScope({ version: 'v1', root: tree.hierarchyRoot }, 'auto'), 'kubernetes', layout)
  }

  const none = t.testdir({ 'system.slice': { 'containerd.service': {} }, 'user.slice': {}, kubepods: 'a file, not a cgroup' })
  t.equal(resolveScope({ version: 'v2', root: none }, 'auto'), 'all', 'no kubepods → all')

  const depth3 = t.testdir()
  mkdirSync(`${depth3}/a/b/kubepods`, { recursive: true })
  t.equal(resolveScope({ version: 'v2', root: depth3 }, 'auto'), 'kubernetes', 'three levels down')
  const depth4 = t.testdir()
  mkdirSync(`${depth4}/a/b/c/kubepods.slice`, { recursive: true })
  t.equal(resolveScope({ version: 'v2', root: depth4 }, 'auto'), 'all', 'four levels down is too deep')
})

function readOr(path: string): string {
  try {
    return readFileSync(path, 'latin1')
  } catch {
    return ''
  }
}
