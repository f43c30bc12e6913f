// Child memory cgroups of our own, for tests on the real kernel: cgroup v1 here and on CI, cgroup v2
// where a machine delegates a cgroup to us. Never touches any cgroup but the ones it creates under
// the test's own memory cgroup (v1) or under the delegated parent (v2).
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs'

export const V1_MEMORY_ROOT = '/sys/fs/cgroup/memory'
export const V2_ROOT = '/sys/fs/cgroup'
/** Names the v2 cgroup (relative to the mount) under which the v2 tests make their children. */
export const V2_PARENT_ENV = 'MEMLENS_TEST_V2_PARENT'

/** One real memory hierarchy we may make children in, and its names for the same quantities. */
export interface RealHierarchy {
  readonly version: 'v1' | 'v2'
  /** The hierarchy's root directory. */
  readonly root: string
  /** Where our children go, relative to root: "/a/b", or "" for the root itself. */
  readonly parent: string
  readonly limitFile: string
  /** memory.stat keys: hierarchical totals on v1, v2's own (hierarchical) names. */
  readonly keys: { readonly dirty: string; readonly writeback: string }
}

export interface OwnCgroup {
  /** Path relative to the hierarchy root, e.g. /process_api/abc/memlens-test-1. */
  readonly rel: string
  readonly dir: string
}

/** Why this machine cannot run real-kernel v1 tests, or undefined when it can. */
export function v1Unavailable(): string | undefined {
  if (process.platform !== 'linux') return 'not Linux'
  if (!existsSync(`${V1_MEMORY_ROOT}/memory.usage_in_bytes`)) return `no cgroup v1 memory controller at ${V1_MEMORY_ROOT}`
  if (ownMemoryCgroup() === undefined) return 'no memory line in /proc/self/cgroup'
  return undefined
}

export function v1Hierarchy(): RealHierarchy {
  const own = ownMemoryCgroup()
  if (own === undefined) throw new Error('no memory cgroup of our own')
  return {
    version: 'v1',
    root: V1_MEMORY_ROOT,
    parent: own === '/' ? '' : own,
    limitFile: 'memory.limit_in_bytes',
    keys: { dirty: 'total_dirty', writeback: 'total_writeback' },
  }
}

/**
 * The v2 hierarchy with a parent we may make memory-controlled children in, or why there is none.
 * The parent is $MEMLENS_TEST_V2_PARENT, else our own cgroup; its cgroup.subtree_control must
 * already list memory (a delegated cgroup: systemd's Delegate=yes, or test/real-kernel/device-v2.sh).
 */
export function v2Hierarchy(env: NodeJS.ProcessEnv = process.env): RealHierarchy | string {
  if (process.platform !== 'linux') return 'not Linux'
  const controllers = readOr(`${V2_ROOT}/cgroup.controllers`)
  if (controllers === undefined) return `no cgroup2 mount at ${V2_ROOT}`
  if (!controllers.split(/\s+/).includes('memory')) return `the cgroup2 mount at ${V2_ROOT} has no memory controller`
  const named = env[V2_PARENT_ENV]
  const own = /^0::(.*)$/m.exec(readFileSync('/proc/self/cgroup', 'utf8'))?.[1]
  const parent = (named ?? own ?? '/').replace(/\/+$/, '')
  const subtree = readOr(`${V2_ROOT}${parent}/cgroup.subtree_control`)
  if (subtree === undefined) return `cannot read ${V2_ROOT}${parent}/cgroup.subtree_control`
  if (!subtree.split(/\s+/).includes('memory')) {
    return `${V2_ROOT}${parent || '/'} does not delegate the memory controller to children (set ${V2_PARENT_ENV} to a cgroup whose subtree_control lists memory)`
  }
  return { version: 'v2', root: V2_ROOT, parent, limitFile: 'memory.max', keys: { dirty: 'file_dirty', writeback: 'file_writeback' } }
}

export function ownMemoryCgroup(): string | undefined {
  const line = readFileSync('/proc/self/cgroup', 'utf8')
    .split('\n')
    .find((l) => l.split(':')[1]?.split(',').includes('memory'))
  return line?.split(':').slice(2).join(':')
}

/**
 * Makes a child cgroup under the hierarchy's parent; throws (EACCES, EROFS) when we may not. On
 * v2 a limited child also gets memory.swap.max 0, so a process at the limit is killed, not swapped,
 * and a child that will have children of its own hands them the memory controller (`parent`).
 */
export function makeChild(h: RealHierarchy, name: string, limitBytes?: number, role?: 'parent'): OwnCgroup {
  const rel = `${h.parent}/${name}`
  const dir = h.root + rel
  mkdirSync(dir)
  if (role === 'parent' && h.version === 'v2') writeFileSync(`${dir}/cgroup.subtree_control`, '+memory')
  if (limitBytes !== undefined) {
    writeFileSync(`${dir}/${h.limitFile}`, String(limitBytes))
    if (h.version === 'v2' && existsSync(`${dir}/memory.swap.max`)) writeFileSync(`${dir}/memory.swap.max`, '0')
  }
  return { rel, dir }
}

/** Removes a child cgroup once its processes are gone; retries while the kernel lets go. */
export async function removeChild(cg: OwnCgroup): Promise<void> {
  for (let i = 0; i < 50 && existsSync(cg.dir); i++) {
    try {
      rmdirSync(cg.dir)
    } catch {
      await new Promise((r) => setTimeout(r, 100))
    }
  }
}

export function statValue(cg: OwnCgroup, key: string): number {
  const line = readFileSync(`${cg.dir}/memory.stat`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${key} `))
  return Number(line?.split(' ')[1])
}

function readOr(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8').trim()
  } catch {
    return undefined
  }
}
