// Child memory cgroups of our own, for tests on the real kernel (cgroup v1 here and on CI).
// Never touches any cgroup but the ones it creates under the test's own memory cgroup.
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs'

export const V1_MEMORY_ROOT = '/sys/fs/cgroup/memory'

export interface OwnCgroup {
  /** Path relative to the v1 memory hierarchy root, e.g. /process_api/abc/memlens-test-1. */
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

export function ownMemoryCgroup(): string | undefined {
  const line = readFileSync('/proc/self/cgroup', 'utf8')
    .split('\n')
    .find((l) => l.split(':')[1]?.split(',').includes('memory'))
  return line?.split(':').slice(2).join(':')
}

/** Makes a child cgroup under our own memory cgroup; throws (EACCES, EROFS) when we may not. */
export function makeChild(name: string, limitBytes?: number): OwnCgroup {
  const own = ownMemoryCgroup()
  if (own === undefined) throw new Error('no memory cgroup of our own')
  const rel = `${own === '/' ? '' : own}/${name}`
  const dir = V1_MEMORY_ROOT + rel
  mkdirSync(dir)
  if (limitBytes !== undefined) writeFileSync(`${dir}/memory.limit_in_bytes`, String(limitBytes))
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
