// Finding the memory hierarchy under a cgroup mount root.
//
//   v2      <root>/cgroup.controllers lists `memory` (e.g. "cpuset cpu io memory pids")
//   v1      <root>/memory/memory.usage_in_bytes exists; hybrid hosts also mount a cgroup2
//           <root>/unified without the memory controller, which must not win
//   v2 late <root>/unified/cgroup.controllers lists `memory` (hybrid host with the memory
//           controller moved to v2, e.g. cgroup_no_v1=memory)
//
// The files decide; /proc/self/mountinfo (when the caller passes it) only confirms, so a fixture
// tree and a host bind-mount go through the same code. Kernel doc: admin-guide/cgroup-v2.rst,
// filesystems/proc.rst §3.5 (mountinfo).
import { readdirSync, realpathSync } from 'node:fs'
import { errorMessage, isGone, UsageError } from '../kernel/errors.js'
import { PseudoFileReader } from '../kernel/fs.js'
import { parseMountinfo, type MountEntry } from '../kernel/parse-mountinfo.js'
import type { CgroupVersion, Scope } from '../model.js'
import { isKubepodsRoot } from './layout.js'

export interface Hierarchy {
  readonly version: CgroupVersion
  /** Absolute directory of the memory hierarchy root: <cgroupRoot> (v2), <cgroupRoot>/memory (v1). */
  readonly root: string
}

/** No usable memory hierarchy: the message lists what was looked for, where, and what to do. */
export class HierarchyError extends UsageError {
  readonly code = 'ENOHIERARCHY'
  override readonly name = 'HierarchyError'
}

/** mountinfo is read with a cap of its own: ~200 bytes a mount, and a busy node has thousands. */
export const MOUNTINFO_MAX_BYTES = 16 * 1024 * 1024

const HINT =
  'point --cgroup-root at the cgroup mount (usually /sys/fs/cgroup; inside a container, the host mount, e.g. /host/sys/fs/cgroup)'

interface Candidate extends Hierarchy {
  /** The file whose presence (and content) makes this candidate the memory hierarchy. */
  readonly probe: string
}

/** Finds the memory hierarchy under cgroupRoot; confirms it against mountinfo when given one. */
export function findHierarchy(opts: { readonly cgroupRoot: string; readonly mountinfoPath?: string }): Hierarchy {
  const cgroupRoot = trimSlash(opts.cgroupRoot)
  const reader = new PseudoFileReader()
  const candidates: readonly Candidate[] = [
    { version: 'v2', root: cgroupRoot, probe: `${cgroupRoot}/cgroup.controllers` },
    { version: 'v1', root: `${cgroupRoot}/memory`, probe: `${cgroupRoot}/memory/memory.usage_in_bytes` },
    { version: 'v2', root: `${cgroupRoot}/unified`, probe: `${cgroupRoot}/unified/cgroup.controllers` },
  ]
  const misses: string[] = []
  for (const c of candidates) {
    const miss = probe(reader, c)
    if (miss !== undefined) {
      misses.push(miss)
      continue
    }
    const hierarchy: Hierarchy = { version: c.version, root: c.root }
    if (opts.mountinfoPath !== undefined) confirm(hierarchy, reader, opts.mountinfoPath)
    return hierarchy
  }
  const mounted = opts.mountinfoPath === undefined ? '' : mountedHint(reader, opts.mountinfoPath)
  throw new HierarchyError(`no cgroup memory hierarchy under ${cgroupRoot}: ${misses.join('; ')}${mounted}; ${HINT}`)
}

/** Undefined when the candidate is the memory hierarchy; else why not. */
function probe(reader: PseudoFileReader, c: Candidate): string | undefined {
  let text: string
  try {
    text = reader.readText(c.probe)
  } catch (er) {
    return isGone(er) ? `${c.probe} does not exist` : `${c.probe}: ${errorMessage(er)}`
  }
  if (c.version === 'v1') return undefined
  const controllers = text.trim().split(/\s+/)
  return controllers.includes('memory') ? undefined : `${c.probe} lists ${JSON.stringify(text.trim())}, not memory`
}

function confirm(h: Hierarchy, reader: PseudoFileReader, mountinfoPath: string): void {
  const mounts = readMounts(reader, mountinfoPath)
  const where = canonical(h.root)
  const mount = mountAt(mounts, where)
  const ok = h.version === 'v2' ? mount?.fsType === 'cgroup2' : mount?.fsType === 'cgroup' && mount.superOptions.includes('memory')
  if (ok) return
  const want = h.version === 'v2' ? 'a cgroup2 mount' : 'a cgroup mount with the memory controller'
  const have = mount === undefined ? 'nothing is mounted there' : `it has ${describeMount(mount)}`
  throw new HierarchyError(
    `the files under ${h.root} look like cgroup ${h.version}, but ${mountinfoPath} disagrees: expected ${want} at ${where}, ` +
      `${have}${mountedHint(reader, mountinfoPath)}; ${HINT}`,
  )
}

function readMounts(reader: PseudoFileReader, mountinfoPath: string): MountEntry[] {
  try {
    return parseMountinfo(reader.readText(mountinfoPath, MOUNTINFO_MAX_BYTES), mountinfoPath)
  } catch (er) {
    throw new HierarchyError(`cannot read ${mountinfoPath} to confirm the cgroup mount: ${errorMessage(er)}`)
  }
}

/** The mount visible at a path: later lines stack on top of earlier ones. */
function mountAt(mounts: readonly MountEntry[], mountPoint: string): MountEntry | undefined {
  let found: MountEntry | undefined
  for (const m of mounts) if (m.mountPoint === mountPoint) found = m
  return found
}

/** Where mountinfo says memory hierarchies are, to put into an error message. */
function mountedHint(reader: PseudoFileReader, mountinfoPath: string): string {
  let mounts: MountEntry[]
  try {
    mounts = parseMountinfo(reader.readText(mountinfoPath, MOUNTINFO_MAX_BYTES), mountinfoPath)
  } catch {
    return ''
  }
  const memory = mounts.filter((m) => m.fsType === 'cgroup2' || (m.fsType === 'cgroup' && m.superOptions.includes('memory')))
  if (memory.length === 0) return ` (${mountinfoPath} lists no cgroup2 or memory cgroup mount)`
  return ` (${mountinfoPath} lists ${memory.map((m) => `${describeMount(m)} at ${m.mountPoint}`).join(', ')})`
}

function describeMount(m: MountEntry): string {
  return m.fsType === 'cgroup' ? `cgroup [${m.superOptions.join(',')}]` : m.fsType
}

// A v1 controller mounted jointly (`cpuset,memory`) is reached through a symlink named
// `memory`; mountinfo names the real directory.
function canonical(path: string): string {
  try {
    return realpathSync(path)
  } catch {
    return path
  }
}

function trimSlash(path: string): string {
  const trimmed = path.replace(/\/+$/, '')
  return trimmed === '' ? '/' : trimmed
}

/** How deep below the hierarchy root a kubepods root may sit (kubelet --cgroup-root prefixes). */
const KUBEPODS_SEARCH_DEPTH = 3

/** `auto` is kubernetes when a kubepods tree exists within a few levels of the root, else all. */
export function resolveScope(h: Hierarchy, scope: Scope | 'auto'): Scope {
  if (scope !== 'auto') return scope
  return hasKubepods(h.root) ? 'kubernetes' : 'all'
}

function hasKubepods(root: string): boolean {
  // Breadth first: the usual /kubepods(.slice) is found after one readdir.
  let level: string[] = [root]
  for (let depth = 1; depth <= KUBEPODS_SEARCH_DEPTH && level.length > 0; depth++) {
    const next: string[] = []
    for (const dir of level) {
      for (const name of subdirs(dir)) {
        if (isKubepodsRoot(name)) return true
        next.push(`${dir}/${name}`)
      }
    }
    level = next
  }
  return false
}

function subdirs(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
  } catch {
    // Unreadable or vanished: it cannot show us a kubepods root, which is all we ask here.
    return []
  }
}
