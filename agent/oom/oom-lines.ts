// The lines of the kernel's OOM report, one parser each (mm/oom_kill.c, mm/memcontrol.c,
// mm/memcontrol-v1.c). As Linux 6.18 prints a memory cgroup OOM, in order:
//   dd invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0
//   memory: usage 32768kB, limit 32768kB, failcnt 75
//   Memory cgroup stats for /kubepods/pod1/abcd:        then one `key value` line per record
//   oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg=/a,task_memcg=/a,task=dd,pid=2692,uid=0
//   Memory cgroup out of memory: Killed process 2692 (dd) total-vm:265124kB, anon-rss:32512kB, file-rss:1664kB, shmem-rss:0kB, UID:0 pgtables:108kB oom_score_adj:0
// Older kernels differ, and each variant is accepted: before 4.19 "Task in /a killed as a
// result of limit of /b" instead of oom_memcg/task_memcg; on v1 before 6.4 the stats are one
// line per cgroup of the subtree, `cache:0KB rss:1024KB ...` in kB; on v2 from 5.0 to 6.3 the
// memory.stat text is one record with embedded newlines. Each parser returns undefined for a
// line that is not its own, so unrelated lines can never throw.

const KB = 1024
/** v1 prints PAGE_COUNTER_MAX (about 2^63) for "no limit"; as in docs/domain.md §2. */
const NO_LIMIT_BYTES = 2 ** 62

function int(text: string | undefined): number | undefined {
  return text !== undefined && /^-?\d+$/.test(text) ? Number(text) : undefined
}

export interface InvokedLine {
  /** The task whose allocation failed, not necessarily the victim. */
  readonly comm: string
  readonly gfpMask: string
  readonly order: number
}

export function parseInvoked(line: string): InvokedLine | undefined {
  const m = /^(.*) invoked oom-killer: gfp_mask=(\S+?),(?: nodemask=.*?,)? +order=(-?\d+)/.exec(line)
  const order = int(m?.[3])
  if (m === null || order === undefined) return undefined
  return { comm: m[1] ?? '', gfpMask: m[2] ?? '', order }
}

export interface MemoryLine {
  readonly usageBytes: number
  /** Undefined for v1's "no limit" sentinel. */
  readonly limitBytes?: number
  readonly failcnt: number
}

export function parseMemoryLine(line: string): MemoryLine | undefined {
  const m = /^memory: usage (\d+)kB, limit (\d+)kB, failcnt (\d+)$/.exec(line)
  const usage = int(m?.[1])
  const limit = int(m?.[2])
  const failcnt = int(m?.[3])
  if (usage === undefined || limit === undefined || failcnt === undefined) return undefined
  return { usageBytes: usage * KB, limitBytes: limit * KB >= NO_LIMIT_BYTES ? undefined : limit * KB, failcnt }
}

export interface StatsHeader {
  readonly path: string
  /** Pre-6.4 v1 puts the stats on the same line, in kB; converted to bytes. */
  readonly legacy?: ReadonlyMap<string, number>
}

const STATS_FOR = 'Memory cgroup stats for '

export function parseStatsHeader(line: string): StatsHeader | undefined {
  if (!line.startsWith(STATS_FOR)) return undefined
  // A path may hold ':' (systemd/cgroupfs mismatch directories), but never ': '.
  if (line.endsWith(':')) return { path: line.slice(STATS_FOR.length, -1) }
  const split = line.indexOf(': ', STATS_FOR.length)
  if (split === -1) return undefined
  const legacy = new Map<string, number>()
  for (const token of line.slice(split + 2).split(' ')) {
    const m = /^([a-z][a-z0-9_]*):(-?\d+)KB$/.exec(token)
    const kb = int(m?.[2])
    if (m?.[1] !== undefined && kb !== undefined) legacy.set(m[1], kb * KB)
  }
  return { path: line.slice(STATS_FOR.length, split), legacy }
}

/** One memory.stat line as printed at the OOM (6.4+ v1 and v2, 5.x v2): bytes, or a count. */
export function parseStatLine(line: string): [string, number] | undefined {
  const m = /^([a-z][a-z0-9_]*) (\d+)$/.exec(line)
  const value = int(m?.[2])
  return m?.[1] !== undefined && value !== undefined ? [m[1], value] : undefined
}

export interface TaskInLine {
  readonly taskMemcg: string
  readonly oomMemcg: string
}

/** Before 4.19: "Task in /a killed as a result of limit of /b". */
export function parseTaskIn(line: string): TaskInLine | undefined {
  const m = /^Task in (.*) killed as a result of limit of (.*)$/.exec(line)
  return m?.[1] !== undefined && m[2] !== undefined ? { taskMemcg: m[1], oomMemcg: m[2] } : undefined
}

export interface SummaryLine {
  readonly constraint: string
  /** Undefined for a global OOM (`global_oom`). */
  readonly oomMemcg?: string
  readonly taskMemcg?: string
  readonly comm: string
  readonly pid: number
  readonly uid: number
}

// nodemask and mems_allowed are lists that hold commas ("0,2-3"), so the known keys anchor
// the split; cpuset= and mems_allowed= are missing without CONFIG_CPUSETS.
const SUMMARY =
  /^oom-kill:constraint=([^,]+),nodemask=.*?(?:,cpuset=.*?,mems_allowed=.*?)?(?:,oom_memcg=(.*?)|,global_oom)?(?:,task_memcg=(.*?))?,task=(.*),pid=(\d+),uid=(\d+)$/

export function parseSummary(line: string): SummaryLine | undefined {
  const m = SUMMARY.exec(line)
  const pid = int(m?.[5])
  const uid = int(m?.[6])
  if (m === null || pid === undefined || uid === undefined) return undefined
  return { constraint: m[1] ?? '', oomMemcg: m[2], taskMemcg: m[3], comm: m[4] ?? '', pid, uid }
}

export interface KilledLine {
  /** "Memory cgroup out of memory", "Out of memory", ...; undefined before 4.19. */
  readonly reason?: string
  readonly pid: number
  readonly comm: string
  readonly totalVmBytes: number
  readonly anonRssBytes: number
  readonly fileRssBytes: number
  readonly shmemRssBytes: number
  readonly uid?: number
  readonly oomScoreAdj?: number
}

export function parseKilled(line: string): KilledLine | undefined {
  const m = /^(?:(.*?): )?Killed process (\d+) \((.*)\) total-vm:(\d+)kB, anon-rss:(\d+)kB, file-rss:(\d+)kB, shmem-rss:(\d+)kB(.*)$/.exec(
    line,
  )
  if (m === null) return undefined
  const [pid, totalVm, anon, file, shmem] = [m[2], m[4], m[5], m[6], m[7]].map(int)
  if (pid === undefined || totalVm === undefined || anon === undefined || file === undefined || shmem === undefined) return undefined
  const tail = m[8] ?? ''
  return {
    reason: m[1],
    pid,
    comm: m[3] ?? '',
    totalVmBytes: totalVm * KB,
    anonRssBytes: anon * KB,
    fileRssBytes: file * KB,
    shmemRssBytes: shmem * KB,
    uid: int(/UID:(\d+)/.exec(tail)?.[1]),
    oomScoreAdj: int(/oom_score_adj:(-?\d+)/.exec(tail)?.[1]),
  }
}

/** The OOM ended without a kill: no report follows. */
export function isNoKill(line: string): boolean {
  return (
    /: OOM victim \d+ \(.*\) is already exiting\. Skip killing the task$/.test(line) ||
    line.startsWith('Out of memory and no killable processes')
  )
}

/** The process table that follows the stats (its rows are in pages, not parsed). */
export function isTasksHeader(line: string): boolean {
  return line.startsWith('Tasks state (memory values in pages)') || line.startsWith('[  pid  ]') || line.startsWith('[ pid ]')
}
