// Puts the kernel's OOM report back together from /dev/kmsg records (see ./oom-lines.ts for
// the lines and docs/oom.md "The kernel's own report"). Fed every record in order; returns a
// KernelOomReport when a kill's "Killed process" line arrives. A report is emitted with what
// it has, marked incomplete, when its start or end was lost: a new OOM begins, the stream
// goes quiet for STALE_US, or the caller flushes. Records from user space (facility ≠ 0) are
// ignored: only the kernel may speak here, and processes can write to /dev/kmsg.
import type { KmsgRecord } from './kmsg-record.js'
import {
  isNoKill,
  isTasksHeader,
  parseInvoked,
  parseKilled,
  parseMemoryLine,
  parseStatLine,
  parseStatsHeader,
  parseSummary,
  parseTaskIn,
} from './oom-lines.js'

export interface KernelOomVictim {
  readonly pid: number
  readonly comm: string
  readonly uid?: number
  readonly totalVmBytes?: number
  readonly anonRssBytes?: number
  readonly fileRssBytes?: number
  readonly shmemRssBytes?: number
  readonly oomScoreAdj?: number
}

export interface KernelOomReport {
  /** Sequence number and monotonic time (µs since boot) of the report's last record. */
  readonly seq: number
  readonly timestampUs: number
  readonly firstSeq: number
  /** Both the "invoked oom-killer" header and the "Killed process" line were seen. */
  readonly complete: boolean
  /** memcg: a memory cgroup's limit; global: the node (CONSTRAINT_NONE, _CPUSET, _MEMORY_POLICY). */
  readonly kind?: 'memcg' | 'global'
  readonly constraint?: string
  /** The task whose allocation failed. */
  readonly invokedBy?: string
  /** Cgroup paths from the hierarchy root, as the kernel prints them. */
  readonly oomMemcg?: string
  readonly taskMemcg?: string
  readonly victim?: KernelOomVictim
  /** The OOM cgroup's counters at the kill (the "memory:" line); limit undefined when none. */
  readonly usageBytes?: number
  readonly limitBytes?: number
  readonly failcnt?: number
  /** The cgroup the stats are for (the OOM cgroup). */
  readonly statPath?: string
  /** memory.stat at the kill, keys as printed; sizes in bytes (old kB lines converted and
   * summed over the subtree), event counts as counts. Empty when not printed. */
  readonly stat: Readonly<Record<string, number>>
}

/** A report's records arrive within milliseconds; this much silence means its end was lost. */
export const STALE_US = 5_000_000

interface Draft {
  firstSeq: number
  seq: number
  timestampUs: number
  started: boolean
  killed: boolean
  kind?: 'memcg' | 'global'
  constraint?: string
  invokedBy?: string
  oomMemcg?: string
  taskMemcg?: string
  victim?: KernelOomVictim
  usageBytes?: number
  limitBytes?: number
  failcnt?: number
  statPath?: string
  stat: Record<string, number>
  /** Whether `key value` lines now belong to the stats (6.4+ prints one per record). */
  inStats: boolean
}

function kindOfReason(reason: string | undefined): 'memcg' | 'global' | undefined {
  if (reason === undefined) return undefined
  if (reason.startsWith('Memory cgroup out of memory')) return 'memcg'
  return reason.startsWith('Out of memory') ? 'global' : undefined
}

function toReport(d: Draft): KernelOomReport {
  const memcgSeen = d.oomMemcg !== undefined || d.usageBytes !== undefined
  const kind =
    d.kind ?? (d.constraint !== undefined ? (d.constraint === 'CONSTRAINT_MEMCG' ? 'memcg' : 'global') : memcgSeen ? 'memcg' : undefined)
  return {
    seq: d.seq,
    timestampUs: d.timestampUs,
    firstSeq: d.firstSeq,
    complete: d.started && d.killed,
    kind,
    constraint: d.constraint,
    invokedBy: d.invokedBy,
    oomMemcg: d.oomMemcg,
    taskMemcg: d.taskMemcg,
    victim: d.victim,
    usageBytes: d.usageBytes,
    limitBytes: d.limitBytes,
    failcnt: d.failcnt,
    statPath: d.statPath,
    stat: d.stat,
  }
}

export class OomReportAssembler {
  #draft: Draft | undefined
  /** Old kernels split a line over records: `c` starts it, `+` continues it. */
  #fragment: { record: KmsgRecord; text: string } | undefined

  /** Feed records in sequence order; returns the reports they completed (usually none). */
  push(record: KmsgRecord): KernelOomReport[] {
    if (record.facility !== 0) return []
    const out: KernelOomReport[] = []
    if (this.#draft !== undefined && record.timestampUs - this.#draft.timestampUs > STALE_US) this.#emit(out)
    if (record.flags === '+' && this.#fragment !== undefined) {
      this.#fragment.text += record.message
      return out
    }
    this.#flushFragment(out)
    if (record.flags === 'c') {
      this.#fragment = { record, text: record.message }
      return out
    }
    for (const line of record.message.split('\n')) this.#line(line, record, out)
    return out
  }

  /** Emits what a report in progress has, say when the reader stops or the log went quiet. */
  flush(): KernelOomReport | undefined {
    const out: KernelOomReport[] = []
    this.#flushFragment(out)
    this.#emit(out)
    return out[0]
  }

  #flushFragment(out: KernelOomReport[]): void {
    const f = this.#fragment
    this.#fragment = undefined
    if (f !== undefined) for (const line of f.text.split('\n')) this.#line(line, f.record, out)
  }

  #emit(out: KernelOomReport[]): void {
    if (this.#draft !== undefined) out.push(toReport(this.#draft))
    this.#draft = undefined
  }

  #open(record: KmsgRecord): Draft {
    this.#draft ??= {
      firstSeq: record.seq,
      seq: record.seq,
      timestampUs: record.timestampUs,
      started: false,
      killed: false,
      stat: {},
      inStats: false,
    }
    this.#draft.seq = record.seq
    this.#draft.timestampUs = record.timestampUs
    return this.#draft
  }

  #line(line: string, record: KmsgRecord, out: KernelOomReport[]): void {
    const d = this.#draft
    if (d?.inStats === true) {
      const stat = parseStatLine(line)
      if (stat !== undefined) {
        d.stat[stat[0]] = stat[1]
        this.#open(record)
        return
      }
    }
    const invoked = parseInvoked(line)
    if (invoked !== undefined) {
      this.#emit(out)
      const draft = this.#open(record)
      draft.started = true
      draft.invokedBy = invoked.comm
      return
    }
    if (isNoKill(line)) {
      this.#draft = undefined
      return
    }
    const memory = parseMemoryLine(line)
    if (memory !== undefined) {
      // A second "memory:" line means a new OOM whose header was lost.
      if (d?.usageBytes !== undefined) this.#emit(out)
      const draft = this.#open(record)
      draft.usageBytes = memory.usageBytes
      draft.limitBytes = memory.limitBytes
      draft.failcnt = memory.failcnt
      draft.inStats = false
      return
    }
    const header = parseStatsHeader(line)
    if (header !== undefined) {
      const draft = this.#open(record)
      draft.statPath ??= header.path
      // Old v1 prints one line per cgroup of the subtree, each its own (local) counts.
      for (const [key, value] of header.legacy ?? []) draft.stat[key] = (draft.stat[key] ?? 0) + value
      draft.inStats = header.legacy === undefined
      return
    }
    const taskIn = parseTaskIn(line)
    if (taskIn !== undefined) {
      const draft = this.#open(record)
      draft.taskMemcg = taskIn.taskMemcg
      draft.oomMemcg = taskIn.oomMemcg
      return
    }
    if (isTasksHeader(line)) {
      if (d !== undefined) d.inStats = false
      return
    }
    const summary = parseSummary(line)
    if (summary !== undefined) {
      const draft = this.#open(record)
      draft.inStats = false
      draft.constraint = summary.constraint
      draft.oomMemcg = summary.oomMemcg
      draft.taskMemcg = summary.taskMemcg
      draft.victim = { ...draft.victim, pid: summary.pid, comm: summary.comm, uid: summary.uid }
      return
    }
    const choosing = /^(.*?): Kill process \d+ /.exec(line)
    if (choosing !== null) {
      // Before 4.19 the reason sits on this line and "Killed process" follows bare.
      this.#open(record).kind = kindOfReason(choosing[1])
      return
    }
    const killed = parseKilled(line)
    if (killed !== undefined) {
      // The victim of another OOM than the one in progress: that one lost its end.
      if (d?.victim !== undefined && d.victim.pid !== killed.pid) this.#emit(out)
      const draft = this.#open(record)
      const { reason, ...victim } = killed
      draft.killed = true
      draft.kind = kindOfReason(reason) ?? draft.kind
      draft.victim = { ...victim, uid: victim.uid ?? draft.victim?.uid }
      this.#emit(out)
    }
  }
}
