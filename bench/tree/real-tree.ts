// A real cgroup v1 memory tree for the benchmark (`npm run bench -- --real`): the same shape as
// gen-tree.ts (N pods over the three QoS classes, C containers per pod), but made of real
// memory cgroups, so every read of memory.stat & co. runs the kernel's code as on a node.
//
// Kubelet's cgroupfs driver layout, below a directory of our own:
//
//   <own memory cgroup>/memlens-bench-<pid>/kubepods/pod<uid>/<64hex>               guaranteed
//   <own memory cgroup>/memlens-bench-<pid>/kubepods/burstable/pod<uid>/<64hex>
//   <own memory cgroup>/memlens-bench-<pid>/kubepods/besteffort/pod<uid>/<64hex>
//
// <own memory cgroup> is this process's memory cgroup from /proc/self/cgroup (e.g.
// /process_api/<hash>). Nothing is created, written or removed anywhere else: every cgroup made
// here is recorded, and removeRealTree() removes exactly those, bottom-up, and then anything still
// below memlens-bench-<pid> (only ever ours). The kernel creates the memory.* files; the cgroups
// are empty, so most values are 0, except a few containers into which one short `dd` writes
// 1 MiB of page cache (so memory.stat is not all zeros), and the limits set on non-besteffort
// pods and containers, as the kubelet does.
//
// cgroup v2 is not covered: on the hosts this was written for, the memory controller is on v1 and
// the cgroup2 mount has no memory controller (and no writable v2 memory hierarchy exists).
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import { join } from 'node:path'
import type { QosClass } from '../agent-api.js'
import { errorCode } from '../errors.js'
import { dashedUid, hex, rng } from './rng.js'
import type { BenchTree, TreePod } from './types.js'

export const CGROUP_ROOT = '/sys/fs/cgroup'
export const V1_MEMORY_ROOT = `${CGROUP_ROOT}/memory`
const PREFIX = 'memlens-bench-'
const MiB = 1024 * 1024
const QOS_CYCLE: readonly QosClass[] = ['guaranteed', 'burstable', 'burstable', 'burstable', 'besteffort']

export interface RemoveResult {
  removed: number
  retries: number
  failed: string[]
  ms: number
}

export interface RealTree extends BenchTree {
  readonly real: true
  /** Scratch directory of the dd writers' files and the list file. */
  scratch: string
  /** Directories in creation order (parents first), with the limit to set, if any. */
  readonly dirs: readonly { readonly dir: string; readonly limit?: number }[]
  writerBytes: number
  /** What was made so far, in order: what removeRealTree() removes. */
  readonly created: string[]
  readonly timings: { mkdirMs: number; limitsMs: number; writersMs: number; rmdirMs: number }
}

const usable = (own: string | undefined): own is string => own !== undefined && own !== '/' && own !== ''

/** This process's memory cgroup (v1), relative to the hierarchy root; undefined when there is none. */
export function ownMemoryCgroup(): string | undefined {
  try {
    const line = fs
      .readFileSync('/proc/self/cgroup', 'utf8')
      .split('\n')
      .find((l) => l.split(':')[1]?.split(',').includes('memory'))
    return line?.split(':').slice(2).join(':')
  } catch {
    return undefined
  }
}

/** Why a real v1 tree cannot be made here, or undefined when it can. */
export function realUnavailable(): string | undefined {
  if (process.platform !== 'linux') return 'not Linux'
  if (!fs.existsSync(`${V1_MEMORY_ROOT}/memory.usage_in_bytes`)) return `no cgroup v1 memory controller at ${V1_MEMORY_ROOT}`
  const own = ownMemoryCgroup()
  if (own === undefined) return 'no v1 memory line in /proc/self/cgroup'
  // Our cgroup is the one we may make children in; the hierarchy root belongs to the host.
  if (!usable(own)) return 'this process sits in the root memory cgroup; refusing to create cgroups there'
  if (!fs.existsSync(V1_MEMORY_ROOT + own)) return `own memory cgroup ${own} is not visible under ${V1_MEMORY_ROOT}`
  return undefined
}

/** Why the v2 column is skipped under --real. */
export function v2SkipReason(): string {
  let controllers = ''
  try {
    controllers = fs.readFileSync(`${CGROUP_ROOT}/unified/cgroup.controllers`, 'utf8').trim()
  } catch {
    // No cgroup2 mount there: nothing to name.
  }
  const where = fs.existsSync(`${CGROUP_ROOT}/unified`)
    ? ` (the cgroup2 mount at ${CGROUP_ROOT}/unified has controllers "${controllers}", no memory)`
    : ''
  return `--real covers cgroup v1 only: this host's memory controller is on v1${where}, so there is no writable v2 memory hierarchy to build a tree in; the v2 figures come from the tmpfs run only`
}

const sab = new Int32Array(new SharedArrayBuffer(4))
/** A synchronous sleep, so cleanup can run whole from a signal handler or an exit hook. */
const sleepSync = (ms: number): void => void Atomics.wait(sab, 0, 0, ms)

/** pids of earlier runs that were killed before they could clean up (cgroups or scratch left). */
export function staleRuns(): number[] {
  const own = ownMemoryCgroup()
  const names: string[] = []
  const list = (dir: string): void => {
    try {
      names.push(...fs.readdirSync(dir))
    } catch {
      // Not there or not ours to list: nothing stale in it.
    }
  }
  if (usable(own)) list(V1_MEMORY_ROOT + own)
  list(os.tmpdir())
  const pids = new Set<number>()
  for (const name of names) {
    const m = new RegExp(`^${PREFIX}(\\d+)(?:-[A-Za-z0-9]{6})?$`).exec(name)
    if (m === null || Number(m[1]) === process.pid) continue
    const pid = Number(m[1])
    let alive = true
    try {
      process.kill(pid, 0)
    } catch (er) {
      alive = errorCode(er) !== 'ESRCH'
    }
    if (!alive) pids.add(pid)
  }
  return [...pids]
}

export interface StaleRemoval extends RemoveResult {
  base: string | undefined
  agentsKilled: number[]
}

/**
 * Removes what a killed run left: its scratch files first (the dd writers' page cache is
 * charged to its cgroups), then its cgroups, children first.
 */
export function removeStale(pid: number): StaleRemoval {
  const result: StaleRemoval = { removed: 0, retries: 0, failed: [], ms: NaN, base: undefined, agentsKilled: [] }
  for (const name of fs.readdirSync(os.tmpdir())) {
    if (name.startsWith(`${PREFIX}${pid}-`)) fs.rmSync(join(os.tmpdir(), name), { recursive: true, force: true })
  }
  const own = ownMemoryCgroup()
  if (!usable(own)) return result
  const rel = `${own}/${PREFIX}${pid}`
  result.agentsKilled = killOrphanAgents(rel)
  result.base = V1_MEMORY_ROOT + rel
  removeBelow(result.base, result)
  return result
}

/**
 * A run killed by SIGKILL during its process figures leaves its `memlens serve` child running,
 * reparented to init. Such a child is recognised exactly by its argv (`serve ... --cgroup-parent
 * <that run's tree>`, a path only that run used) and killed by its pid.
 */
function killOrphanAgents(rel: string): number[] {
  const killed: number[] = []
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    let args: string[]
    try {
      args = fs.readFileSync(`/proc/${name}/cmdline`, 'latin1').split('\0')
    } catch {
      continue
    }
    const i = args.indexOf('--cgroup-parent')
    if (i < 0 || args[i + 1] !== rel || !args.includes('serve') || !args.some((a) => a.endsWith('dist/agent/main.js'))) continue
    try {
      process.kill(Number(name), 'SIGKILL')
      killed.push(Number(name))
    } catch {
      // Gone already.
    }
  }
  for (const pid of killed) for (let i = 0; i < 40 && fs.existsSync(`/proc/${pid}`); i++) sleepSync(50)
  return killed
}

/**
 * Plans the tree; creates nothing. Every field the benchmark needs is filled in here, so that a
 * failure half-way through buildRealTree() still leaves `created` for removeRealTree().
 */
export function planRealTree({ pods = 500, containersPerPod = 4, seed = 1, writers = 3 } = {}): RealTree {
  const own = ownMemoryCgroup()
  if (!usable(own)) throw new Error(realUnavailable() ?? 'no own memory cgroup')
  const rel = `${own}/${PREFIX}${process.pid}`
  const base = V1_MEMORY_ROOT + rel
  const rand = rng(seed * 7919 + 3)
  const kubepods = join(base, 'kubepods')
  const dirs: { dir: string; limit?: number }[] = [
    { dir: base },
    { dir: kubepods },
    { dir: join(kubepods, 'burstable') },
    { dir: join(kubepods, 'besteffort') },
  ]
  const cgroupDirs: string[] = []
  const expected: TreePod[] = []
  for (let i = 0; i < pods; i++) {
    const qos = QOS_CYCLE[i % QOS_CYCLE.length] ?? 'burstable'
    const podUid = dashedUid(rand)
    const podDir = qos === 'guaranteed' ? join(kubepods, `pod${podUid}`) : join(kubepods, qos, `pod${podUid}`)
    const containerLimit = qos === 'besteffort' ? undefined : (64 + Math.floor(rand() * 1984)) * MiB
    dirs.push(containerLimit === undefined ? { dir: podDir } : { dir: podDir, limit: containerLimit * containersPerPod })
    cgroupDirs.push(podDir)
    const containerIds: string[] = []
    for (let c = 0; c < containersPerPod; c++) {
      const id = hex(rand, 64)
      const dir = join(podDir, id)
      dirs.push(containerLimit === undefined ? { dir } : { dir, limit: containerLimit })
      cgroupDirs.push(dir)
      containerIds.push(id)
    }
    expected.push({ podUid, qos, podDir, containerIds })
  }
  // A few containers get a dd writer: away from the first and last cgroups (which the cycle
  // figures spot-check as empty ones), spread over the tree.
  const writerDirs: string[] = []
  if (containersPerPod > 0 && pods >= 4) {
    for (let w = 1; w <= writers; w++) {
      const p = expected[Math.floor((pods * w) / (writers + 1))]
      const c = p?.containerIds[0]
      if (p !== undefined && c !== undefined) writerDirs.push(join(p.podDir, c))
    }
  }
  return {
    version: 'v1',
    real: true,
    base,
    /** The agent's --cgroup-parent: the base, relative to the hierarchy root. */
    parent: rel,
    scope: 'kubernetes',
    cgroupRoot: CGROUP_ROOT,
    hierarchyRoot: V1_MEMORY_ROOT,
    listFile: '',
    scratch: '',
    pods,
    containers: pods * containersPerPod,
    cgroupDirs,
    expected,
    dirs,
    writerDirs,
    writerBytes: 0,
    created: [],
    timings: { mkdirMs: NaN, limitsMs: NaN, writersMs: NaN, rmdirMs: NaN },
  }
}

/** Creates the planned cgroups (recording each in tree.created), sets limits, runs the writers. */
export function buildRealTree(tree: RealTree): RealTree {
  tree.scratch = fs.mkdtempSync(join(os.tmpdir(), `${PREFIX}${process.pid}-`))
  tree.listFile = join(tree.scratch, 'cgroups.txt')
  fs.writeFileSync(tree.listFile, tree.cgroupDirs.join('\n') + '\n')

  let t0 = performance.now()
  for (const { dir } of tree.dirs) {
    fs.mkdirSync(dir)
    tree.created.push(dir)
  }
  tree.timings.mkdirMs = performance.now() - t0

  t0 = performance.now()
  for (const { dir, limit } of tree.dirs) if (limit !== undefined) fs.writeFileSync(`${dir}/memory.limit_in_bytes`, String(limit))
  tree.timings.limitsMs = performance.now() - t0

  // One short writer per chosen container: the shell moves itself into the cgroup, then becomes
  // dd, which writes 1 MiB into a scratch file (page cache, some of it dirty, charged to that
  // cgroup) and exits. The file is deleted before the cgroups are removed, which uncharges it.
  t0 = performance.now()
  for (const [i, dir] of tree.writerDirs.entries()) {
    const out = join(tree.scratch, `dd-${i}`)
    const r = spawnSync(
      'sh',
      ['-c', 'echo $$ > "$1/cgroup.procs" && exec dd if=/dev/zero of="$2" bs=64k count=16 status=none', 'sh', dir, out],
      {
        encoding: 'utf8',
        timeout: 10_000,
      },
    )
    if (r.status !== 0) throw new Error(`dd writer in ${dir} failed (${r.status ?? r.signal}): ${r.stderr || r.error?.message}`)
    tree.writerBytes += fs.statSync(out).size
  }
  tree.timings.writersMs = performance.now() - t0
  return tree
}

/** Every directory at and below base, parents first (for the scope 'all' fallback). */
export function allDirsUnder(base: string): string[] {
  const out: string[] = []
  const walk = (dir: string): void => {
    out.push(dir)
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) walk(join(dir, e.name))
  }
  walk(base)
  return out
}

function rmdirRetry(dir: string, tries = 40, waitMs = 50): { ok: boolean; retries: number; error?: string } {
  for (let i = 0; ; i++) {
    try {
      fs.rmdirSync(dir)
      return { ok: true, retries: i }
    } catch (er) {
      const code = errorCode(er)
      if (code === 'ENOENT') return { ok: true, retries: i }
      // EBUSY: a task that just exited is not yet out of it, or the kernel still holds it.
      if (code !== 'EBUSY' || i + 1 >= tries) return { ok: false, retries: i, error: code ?? String(er) }
      sleepSync(waitMs)
    }
  }
}

/** Post-order walk below (and including) dir: children before their parent. */
function removeBelow(dir: string, result: RemoveResult): void {
  let entries: fs.Dirent[] = []
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true })
  } catch (er) {
    if (errorCode(er) === 'ENOENT') return
    throw er
  }
  for (const e of entries) if (e.isDirectory()) removeBelow(join(dir, e.name), result)
  const r = rmdirRetry(dir)
  result.retries += r.retries
  if (r.ok) result.removed++
  else result.failed.push(`${dir}: ${r.error}`)
}

/**
 * Removes what buildRealTree() made, synchronously (safe from a signal handler or exit hook):
 * the scratch files first (uncharging the writers' page cache), then every created cgroup in
 * reverse creation order (children before parents), retrying EBUSY, then, as a safety net,
 * anything still below tree.base. Idempotent.
 */
export function removeRealTree(tree: RealTree): RemoveResult {
  const result: RemoveResult = { removed: 0, retries: 0, failed: [], ms: NaN }
  const t0 = performance.now()
  if (tree.scratch !== '') fs.rmSync(tree.scratch, { recursive: true, force: true })
  for (let i = tree.created.length - 1; i >= 0; i--) {
    const dir = tree.created[i]
    if (dir === undefined) continue
    const r = rmdirRetry(dir)
    result.retries += r.retries
    if (r.ok) result.removed++
    else result.failed.push(`${dir}: ${r.error}`)
  }
  tree.created.length = 0
  if (fs.existsSync(tree.base)) {
    result.failed.length = 0
    removeBelow(tree.base, result)
  }
  result.ms = performance.now() - t0
  tree.timings.rmdirMs = result.ms
  return result
}
