import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import t from 'tap'
import { discover, OutsideCache } from '../../agent/cgroup/discover.js'
import { findHierarchy, resolveScope, type Hierarchy } from '../../agent/cgroup/hierarchy.js'
import { PseudoFileReader } from '../../agent/kernel/fs.js'
import type { CgroupRef } from '../../agent/model.js'
import { buildTree, LAYOUTS, type TreeInfo } from '../fixtures/trees.js'

function build(dir: string, version: 'v1' | 'v2', layout: (typeof LAYOUTS)[number]): { tree: TreeInfo; h: Hierarchy } {
  const tree = buildTree(dir, { version, layout })
  return { tree, h: findHierarchy({ cgroupRoot: tree.cgroupRoot }) }
}

const byId = (a: { id: string }, b: { id: string }): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)

/** What discovery should find in kubernetes scope, from the builder's own description. */
function expectedRefs(tree: TreeInfo): CgroupRef[] {
  const refs: CgroupRef[] = []
  for (const pod of tree.pods) {
    refs.push({ id: pod.path, kind: 'pod', podUid: pod.uid, qos: pod.qos })
    for (const c of pod.containers) {
      const base = { id: c.path, kind: 'container', podUid: pod.uid, containerId: c.id, qos: pod.qos } as const
      refs.push(c.runtime === undefined ? base : { ...base, runtime: c.runtime })
    }
  }
  return refs.sort(byId)
}

t.test('kubernetes scope finds exactly the pods and containers of every layout', async (t) => {
  for (const version of ['v1', 'v2'] as const) {
    for (const layout of LAYOUTS) {
      const { tree, h } = build(t.testdir(), version, layout)
      t.equal(h.version, version, `${layout} ${version}: hierarchy`)
      t.equal(resolveScope(h, 'auto'), 'kubernetes', `${layout} ${version}: auto scope`)
      const errors: unknown[] = []
      const got = [...discover(h, { scope: 'kubernetes', parent: '/', onError: (_p, er) => errors.push(er) })]
      t.strictSame(got.slice().sort(byId), expectedRefs(tree), `${layout} ${version}`)
      t.strictSame(errors, [], `${layout} ${version}: no errors`)
      // The collector lists through its reader: the native lister when it is built.
      const native = [...discover(h, { scope: 'kubernetes', parent: '/', lister: new PseudoFileReader() })]
      t.strictSame(native, got, `${layout} ${version}: the same walk through the reader's lister`)
      t.equal(tree.pods.length, 3)
      t.ok(
        tree.pods.every((p) => p.containers.length >= 2 && p.containers.some((c) => c.sandbox)),
        'pods have sandboxes and apps',
      )
    }
  }
})

t.test('a pod is yielded before its containers', async (t) => {
  const { h } = build(t.testdir(), 'v2', 'systemd-containerd')
  const seen = new Set<string>()
  for (const ref of discover(h, { scope: 'kubernetes', parent: '/' })) {
    if (ref.kind === 'pod') seen.add(ref.podUid ?? '')
    else t.ok(seen.has(ref.podUid ?? ''), `${ref.id} after its pod`)
  }
})

t.test('all scope yields every directory at or below parent, parent included', async (t) => {
  for (const version of ['v1', 'v2'] as const) {
    const { tree, h } = build(t.testdir(), version, 'systemd-crio')
    const got = [...discover(h, { scope: 'all', parent: '/' })]
    t.strictSame(got.map((r) => r.id).sort(), tree.cgroups, `${version}: every cgroup`)
    t.ok(
      got.every((r) => r.kind === 'cgroup' && Object.keys(r).length === 2),
      'only id and kind',
    )
    t.equal(got[0]?.id, '/', 'the root first, as /')
    t.ok(
      tree.cgroups.some((c) => c.endsWith('/container')),
      'crun children are cgroups too',
    )
    for (const other of tree.others)
      t.ok(
        got.some((r) => r.id === other),
        `${other} in all scope`,
      )
  }
})

t.test('parent limits the walk', async (t) => {
  const { tree, h } = build(t.testdir(), 'v2', 'systemd-containerd')
  const all = [...discover(h, { scope: 'all', parent: '/kubepods.slice/kubepods-burstable.slice' })].map((r) => r.id).sort()
  t.strictSame(
    all,
    tree.cgroups.filter((c) => c.startsWith('/kubepods.slice/kubepods-burstable.slice')),
  )
  t.ok(all.length > 3)

  const burstable = tree.pods.find((p) => p.qos === 'burstable')
  const k8s = [...discover(h, { scope: 'kubernetes', parent: 'kubepods.slice/kubepods-burstable.slice/' })]
  t.strictSame(
    k8s.map((r) => r.id).sort(),
    [burstable?.path, ...(burstable?.containers.map((c) => c.path) ?? [])].sort(),
    'a parent written without the leading slash, with a trailing one',
  )

  const pod = [...discover(h, { scope: 'kubernetes', parent: burstable?.path ?? '' })]
  t.equal(pod[0]?.kind, 'pod', 'a pod parent is itself yielded')
  t.equal(pod.length, 1 + (burstable?.containers.length ?? 0))

  const container = burstable?.containers[1]
  const one = [...discover(h, { scope: 'kubernetes', parent: container?.path ?? '' })]
  t.strictSame(one, [
    { id: container?.path, kind: 'container', podUid: burstable?.uid, containerId: container?.id, qos: 'burstable', runtime: 'containerd' },
  ])

  const outside = [...discover(h, { scope: 'kubernetes', parent: '/system.slice' })]
  t.strictSame(outside, [], 'no pods under system.slice')
})

t.test('a parent that does not exist yields nothing and says so once', async (t) => {
  const { h } = build(t.testdir(), 'v1', 'cgroupfs-containerd')
  for (const scope of ['all', 'kubernetes'] as const) {
    const errors: [string, unknown][] = []
    const got = [...discover(h, { scope, parent: '/kubepods.slice', onError: (p, er) => errors.push([p, er]) })]
    t.strictSame(got, [], scope)
    t.equal(errors.length, 1, scope)
    t.equal(errors[0]?.[0], '/kubepods.slice')
    t.match(errors[0]?.[1], { message: `parent cgroup /kubepods.slice does not exist under ${h.root}`, cause: { code: 'ENOENT' } })
  }
  // and without onError, still quietly nothing
  t.strictSame([...discover(h, { scope: 'all', parent: '/nope' })], [])
})

t.test('cgroups that vanish during the walk are skipped silently', async (t) => {
  const { tree, h } = build(t.testdir(), 'v2', 'cgroupfs-containerd')
  const errors: unknown[] = []
  const walk = discover(h, { scope: 'all', parent: '/', onError: (_p, er) => errors.push(er) })
  const first = walk.next()
  t.match(first, { done: false, value: { id: '/' } })
  // Listed in the root's readdir, gone before we read them: removed, and replaced by a file.
  rmSync(`${h.root}/user.slice`, { recursive: true })
  rmSync(`${h.root}/system.slice`, { recursive: true })
  writeFileSync(`${h.root}/system.slice`, '')
  const rest = [...walk].map((r) => r.id)
  t.strictSame(errors, [])
  t.notOk(rest.some((id) => id.startsWith('/user.slice') || id.startsWith('/system.slice')))
  t.ok(rest.includes(tree.pods[0]?.path ?? ''), 'the rest is still walked')

  // Same in kubernetes scope: a pod removed after its QoS level was listed.
  const k = build(t.testdir(), 'v2', 'cgroupfs-containerd')
  const besteffort = k.tree.pods.find((p) => p.qos === 'besteffort')
  const seen: string[] = []
  for (const ref of discover(k.h, { scope: 'kubernetes', parent: '/', onError: (_p, er) => errors.push(er) })) {
    seen.push(ref.id)
    if (seen.length === 1) rmSync(`${k.h.root}${besteffort?.path ?? ''}`, { recursive: true })
  }
  t.strictSame(errors, [])
  t.ok(seen.length > 0)
})

t.test('other errors go to onError and the walk continues', async (t) => {
  t.test('a real ELOOP at the parent', async (t) => {
    const { h } = build(t.testdir(), 'v2', 'systemd-containerd')
    symlinkSync('loop', `${h.root}/loop`)
    const errors: [string, unknown][] = []
    const got = [...discover(h, { scope: 'all', parent: '/loop', onError: (p, er) => errors.push([p, er]) })]
    // Not "gone": it is reported, and left to the reader, which will fail on it in turn.
    t.strictSame(got, [{ id: '/loop', kind: 'cgroup' }])
    t.match(errors, [['/loop', { code: 'ELOOP' }]])
    t.equal(errors.length, 1)
  })

  t.test('EACCES, injected (tests run as root, so chmod would not deny)', async (t) => {
    const { tree, h } = build(t.testdir(), 'v1', 'systemd-containerd')
    const denied = `${h.root}/kubepods.slice/kubepods-burstable.slice`
    const reader = new PseudoFileReader()
    const lister = {
      listDirectories: (path: string): string[] => {
        if (path === denied) throw Object.assign(new Error(`EACCES: permission denied, scandir '${denied}'`), { code: 'EACCES' })
        return reader.listDirectories(path)
      },
    }
    for (const scope of ['kubernetes', 'all'] as const) {
      const errors: [string, unknown][] = []
      const got = [...discover(h, { scope, parent: '/', lister, onError: (p, er) => errors.push([p, er]) })].map((r) => r.id)
      t.match(errors, [['/kubepods.slice/kubepods-burstable.slice', { code: 'EACCES' }]], scope)
      t.equal(errors.length, 1)
      const burstable = tree.pods.find((p) => p.qos === 'burstable')
      t.notOk(got.includes(burstable?.path ?? ''), `${scope}: nothing below the unreadable cgroup`)
      for (const pod of tree.pods.filter((p) => p.qos !== 'burstable')) t.ok(got.includes(pod.path), `${scope}: ${pod.qos} still found`)
      if (scope === 'all') t.ok(got.includes('/kubepods.slice/kubepods-burstable.slice'), 'the unreadable cgroup itself is still read')
    }
  })
})

t.test('no kubepods: auto resolves to all, and kubernetes scope finds nothing', async (t) => {
  const dir = t.testdir({ 'cgroup.controllers': 'cpuset cpu io memory pids\n' })
  for (const p of [
    'system.slice/containerd.service',
    'system.slice/docker.service',
    'user.slice/user-1000.slice',
    'docker/' + 'ab'.repeat(32),
  ]) {
    mkdirSync(`${dir}/${p}`, { recursive: true })
  }
  const h = findHierarchy({ cgroupRoot: dir })
  t.equal(resolveScope(h, 'auto'), 'all')
  t.strictSame([...discover(h, { scope: 'kubernetes', parent: '/' })], [])
  t.equal([...discover(h, { scope: 'all', parent: '/' })].length, 8)
})

t.test('cheap enough for a big node: one listing per directory above the containers, none below', async (t) => {
  // 2,500 container cgroups in 500 pods. Cost is counted in listings, not timed: containers are
  // leaves found in their pod's listing, so only the root, kubepods, the QoS slice and the pods
  // are listed.
  const dir = t.testdir({ 'cgroup.controllers': 'memory\n' })
  const hex = (n: number): string => n.toString(16).padStart(64, '0')
  for (let p = 0; p < 500; p++) {
    const uid = `00000000-0000-4000-8000-${p.toString(16).padStart(12, '0')}`
    const pod = `${dir}/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${uid.replaceAll('-', '_')}.slice`
    for (let c = 0; c < 5; c++) mkdirSync(`${pod}/cri-containerd-${hex(p * 5 + c)}.scope`, { recursive: true })
  }
  const h = findHierarchy({ cgroupRoot: dir })
  const reader = new PseudoFileReader()
  let listings = 0
  const lister = { listDirectories: (path: string): string[] => (listings++, reader.listDirectories(path)) }
  const n = [...discover(h, { scope: 'kubernetes', parent: '/', lister })].length
  t.equal(n, 3000)
  t.equal(listings, 3 + 500, 'the root, kubepods, the QoS slice and each pod')
})

t.test('outside the pod tree, directories with nothing of it below are listed once per refresh', async (t) => {
  const { tree, h } = build(t.testdir(), 'v2', 'systemd-containerd')
  const services = ['containerd.service', 'kubelet.service', 'sshd.service']
  for (const s of services) mkdirSync(`${h.root}/system.slice/${s}`, { recursive: true })
  mkdirSync(`${h.root}/user.slice/user-1000.slice`, { recursive: true })
  const reader = new PseudoFileReader()
  let listed: string[] = []
  const denied = new Set<string>()
  const lister = {
    listDirectories: (path: string): string[] => {
      listed.push(path.slice(h.root.length) || '/')
      if (denied.has(path)) throw Object.assign(new Error(`EACCES: permission denied, scandir '${path}'`), { code: 'EACCES' })
      return reader.listDirectories(path)
    },
  }
  let now = 0
  const outside = new OutsideCache(30_000, () => now)
  const errors: string[] = []
  const walk = (): string[] => {
    listed = []
    return [...discover(h, { scope: 'kubernetes', parent: '/', lister, outside, onError: (p) => errors.push(p) })].map((r) => r.id)
  }
  const first = walk()
  t.strictSame(
    first.slice().sort(),
    expectedRefs(tree).map((r) => r.id),
    'the first walk finds every pod and container',
  )
  t.ok(listed.includes('/system.slice/sshd.service'), 'and lists everything')
  t.equal(outside.size, 6, 'system.slice, its three services, user.slice and user-1000.slice had nothing below')

  now = 1000
  t.strictSame(walk(), first, 'a walk within the refresh finds the same')
  t.notOk(
    listed.some((p) => p.startsWith('/system.slice') || p.startsWith('/user.slice')),
    `and skips them: ${listed.filter((p) => !p.startsWith('/kubepods')).join(', ')}`,
  )
  t.ok(listed.includes('/'), 'the root is listed every walk')

  // A new pod, and a new kubepods root beside the old one: found at once.
  const uid = '12345678-1234-4234-8234-123456789abc'
  const unit = `kubepods-besteffort-pod${uid.replaceAll('-', '_')}`
  const id64 = 'c'.repeat(64)
  mkdirSync(`${h.root}/kubepods.slice/kubepods-besteffort.slice/${unit}.slice/cri-containerd-${id64}.scope`, { recursive: true })
  mkdirSync(`${h.root}/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-pod${uid.replaceAll('-', '_')}.slice`, { recursive: true })
  now = 2000
  const second = walk()
  t.ok(second.includes(`/kubepods.slice/kubepods-besteffort.slice/${unit}.slice/cri-containerd-${id64}.scope`), 'a new container')
  t.ok(
    second.includes(`/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-pod${uid.replaceAll('-', '_')}.slice`),
    'a new kubepods root',
  )

  // A container named after its pod under a skipped service (layout.ts): seen at the next full walk.
  const stray = `/system.slice/containerd.service/${unit}.slice:cri-containerd:${'d'.repeat(64)}`
  mkdirSync(h.root + stray)
  now = 29_000
  t.notOk(walk().includes(stray), 'not yet: its parent is skipped until the refresh')
  now = 31_000
  t.ok(walk().includes(stray), 'found by the full walk after 30 s')
  t.ok(listed.includes('/system.slice/sshd.service'), 'which lists everything again')
  const another = `/system.slice/containerd.service/${unit}.slice:cri-containerd:${'e'.repeat(64)}`
  mkdirSync(h.root + another)
  now = 32_000
  t.ok(walk().includes(another), 'and now that its parent holds one, the next is found at once')
  t.notOk(listed.includes('/system.slice/sshd.service'), 'while the barren services are skipped again')

  // A directory that cannot be listed is tried, and its error reported, on every walk.
  denied.add(`${h.root}/user.slice`)
  now = 62_000
  walk()
  now = 63_000
  walk()
  t.strictSame(errors, ['/user.slice', '/user.slice'], 'the unreadable directory, on both walks')

  // A walk abandoned half way teaches nothing: the next one is full again.
  const fresh = new OutsideCache(30_000, () => now)
  const it = discover(h, { scope: 'kubernetes', parent: '/', lister, outside: fresh })
  it.next()
  it.return(undefined)
  t.equal(fresh.size, 0, 'nothing committed')
  listed = []
  void [...discover(h, { scope: 'kubernetes', parent: '/', lister, outside: fresh })].length
  t.ok(listed.includes('/system.slice/sshd.service'), 'the next walk lists everything')
  t.ok(fresh.size > 0, 'and commits')

  // All scope reads every cgroup: it skips nothing.
  listed = []
  void [...discover(h, { scope: 'all', parent: '/', lister, outside, onError: () => undefined })].length
  t.ok(listed.includes('/system.slice/sshd.service'), 'all scope lists everything, cache or not')
})
