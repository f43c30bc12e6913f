// The processes of a cgroup: the PIDs in its cgroup.procs (and its children's: crun puts a
// container's processes in a `container/` child), then each one's /proc/PID/status. Only
// `Name` and the RSS lines are read: command lines and environments can hold secrets and
// never leave the node. cgroup.procs lists PIDs in the reader's PID namespace, which is why
// the DaemonSet runs in the host's (docs/security.md).
//
//   cgroup.procs:      1234\n1301\n
//   /proc/1234/status: Name:\tdd\n ... VmRSS:\t    1024 kB\nRssAnon:\t     512 kB\n ...
import { isGone } from '../kernel/errors.js'
import type { PseudoFileReader } from '../kernel/fs.js'
import type { ProcessSummary } from '../model.js'
import { parseStatus } from './parse-status.js'

/** How many of the largest processes a summary keeps. */
export const LARGEST_KEPT = 5
/** cgroup.procs of a cgroup and its descendants, this deep at most. */
const MAX_DEPTH = 4

/**
 * PIDs listed in dir/cgroup.procs; 0 (not in our namespace) skipped. Only a cgroup with no
 * process of its own is looked into (crun's `container/` child holds a container's processes;
 * cgroup v2 lets no cgroup have both processes and children with controllers), so a container
 * costs one read, not a directory listing. Undefined when dir has no cgroup.procs at all.
 */
export function cgroupPids(reader: PseudoFileReader, dir: string, maxDepth = MAX_DEPTH, depth = 0): number[] | undefined {
  const r = reader.readIfPresent(`${dir}/cgroup.procs`)
  if (r === undefined) return undefined
  const pids: number[] = []
  let n = 0
  let digits = false
  for (let i = r.start; i < r.end; i++) {
    const c = r.buf[i] ?? 0
    if (c >= 48 && c <= 57) {
      n = n * 10 + (c - 48)
      digits = true
    } else {
      if (digits && n > 0) pids.push(n)
      n = 0
      digits = false
    }
  }
  if (digits && n > 0) pids.push(n)
  if (pids.length === 0 && depth < maxDepth) {
    let entries: string[] = []
    try {
      entries = reader.listDirectories(dir)
    } catch (er) {
      if (!isGone(er)) throw er
    }
    for (const child of entries) pids.push(...(cgroupPids(reader, `${dir}/${child}`, maxDepth, depth + 1) ?? []))
  }
  return pids
}

/** Reads the processes of one cgroup directory; a process that exits meanwhile is skipped. */
export function readProcesses(reader: PseudoFileReader, dir: string, procRoot: string, maxDepth = MAX_DEPTH): ProcessSummary | undefined {
  // No cgroup.procs at all (not a live cgroup: a copied tree) is no view, not zero processes.
  const pids = cgroupPids(reader, dir, maxDepth)
  if (pids === undefined) return undefined
  let count = 0
  let rss = 0
  let anon = 0
  let file = 0
  let shmem = 0
  const all: { pid: number; comm: string; rssBytes: number }[] = []
  for (const pid of pids) {
    const path = `${procRoot}/${pid}/status`
    const r = reader.readIfPresent(path)
    if (r === undefined) continue
    const status = parseStatus(r.buf, r.start, r.end, path)
    // No VmRSS: a zombie (a process being killed has already lost its memory) or a kernel thread.
    if (status.vmRssBytes === undefined) continue
    count++
    const vm = status.vmRssBytes
    rss += vm
    anon += status.rssAnonBytes ?? 0
    file += status.rssFileBytes ?? 0
    shmem += status.rssShmemBytes ?? 0
    all.push({ pid, comm: status.comm ?? '', rssBytes: vm })
  }
  all.sort((a, b) => b.rssBytes - a.rssBytes || a.pid - b.pid)
  return { count, rssBytes: rss, rssAnonBytes: anon, rssFileBytes: file, rssShmemBytes: shmem, largest: all.slice(0, LARGEST_KEPT) }
}

/** Pod-level sums of its containers' summaries. */
export function sumProcesses(parts: readonly ProcessSummary[]): ProcessSummary {
  const largest = parts.flatMap((p) => p.largest).sort((a, b) => b.rssBytes - a.rssBytes || a.pid - b.pid)
  let count = 0
  let rss = 0
  let anon = 0
  let file = 0
  let shmem = 0
  for (const p of parts) {
    count += p.count
    rss += p.rssBytes
    anon += p.rssAnonBytes
    file += p.rssFileBytes
    shmem += p.rssShmemBytes
  }
  return { count, rssBytes: rss, rssAnonBytes: anon, rssFileBytes: file, rssShmemBytes: shmem, largest: largest.slice(0, LARGEST_KEPT) }
}
