// What the kernel says about a process (memory, CPU, open files) and about this machine
// (load, the filesystem under a path). Readers of /proc are split from their pure parsers.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { spawnSync } from 'node:child_process'

export interface ProcMemory {
  readonly vmRssBytes: number
  /** The peak resident set: what a memory limit has to hold. */
  readonly vmHwmBytes: number
  readonly rssAnonBytes: number
  readonly rssFileBytes: number
}

/** /proc/PID/status: `VmHWM:	   71234 kB` lines; absent keys are NaN. */
export function parseStatusMemory(text: string): ProcMemory {
  const kb = (key: string): number => {
    const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)
    return m === null ? NaN : Number(m[1]) * 1024
  }
  return { vmRssBytes: kb('VmRSS'), vmHwmBytes: kb('VmHWM'), rssAnonBytes: kb('RssAnon'), rssFileBytes: kb('RssFile') }
}

export function procMemory(pid: number): ProcMemory {
  return parseStatusMemory(readFileSync(`/proc/${pid}/status`, 'utf8'))
}

/** CPU a process has used, in clock ticks: utime and stime of /proc/PID/stat. */
export interface CpuTicks {
  readonly userTicks: number
  readonly systemTicks: number
}

/**
 * /proc/PID/stat: `pid (comm) state ppid ...`; utime and stime are fields 14 and 15. The
 * command name may hold spaces and parentheses, so fields are counted after the last `)`.
 */
export function parseStatCpu(text: string): CpuTicks {
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ')
  // rest[0] is field 3 (state): field n is rest[n - 3].
  const userTicks = Number(rest[11])
  const systemTicks = Number(rest[12])
  if (!Number.isFinite(userTicks) || !Number.isFinite(systemTicks)) throw new Error(`not a /proc/PID/stat line: ${text.slice(0, 80)}`)
  return { userTicks, systemTicks }
}

let clockTicks: number | undefined
/** USER_HZ, the unit of /proc/PID/stat's times (100 on every Linux this runs on). */
export function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    const r = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' })
    const n = Number(r.stdout?.trim())
    clockTicks = r.status === 0 && Number.isInteger(n) && n > 0 ? n : 100
  }
  return clockTicks
}

/** CPU milliseconds (user + system) the process has used so far. */
export function procCpuMs(pid: number): number {
  const { userTicks, systemTicks } = parseStatCpu(readFileSync(`/proc/${pid}/stat`, 'latin1'))
  return ((userTicks + systemTicks) * 1000) / ticksPerSecond()
}

/** /proc/PID/task/TID/schedstat: `run_ns wait_ns timeslices`; the nanoseconds on a CPU. */
export function parseSchedstatNs(text: string): number {
  const ns = Number(text.split(' ')[0])
  if (!Number.isInteger(ns) || ns < 0) throw new Error(`not a schedstat line: ${text.slice(0, 80)}`)
  return ns
}

/**
 * CPU milliseconds of the process's live threads to the nanosecond (schedstat), where
 * /proc/PID/stat counts in ticks of 10 ms: for what takes a few milliseconds, like one scrape.
 * Threads that have exited are not in it. Falls back to procCpuMs where schedstat is missing.
 */
export function procCpuFineMs(pid: number): number {
  if (!existsSync(`/proc/${pid}/schedstat`)) return procCpuMs(pid)
  let ns = 0
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += parseSchedstatNs(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'latin1'))
    } catch (er) {
      // A thread that exited between the listing and the read.
      if ((er as NodeJS.ErrnoException).code !== 'ENOENT' && (er as NodeJS.ErrnoException).code !== 'ESRCH') throw er
    }
  }
  return ns / 1e6
}

/** Open file descriptors of a process: entries of /proc/PID/fd. */
export function fdCount(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length
}

export function loadAverage(): number {
  try {
    return Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0])
  } catch {
    return NaN
  }
}

/** The filesystem type of the longest mount point that prefixes path, from /proc/self/mounts. */
export function fsTypeOf(path: string, mounts?: string): string {
  let text = mounts
  if (text === undefined) {
    try {
      text = readFileSync('/proc/self/mounts', 'utf8')
    } catch {
      return 'unknown'
    }
  }
  let best = { mp: '', type: 'unknown' }
  for (const line of text.split('\n')) {
    const [, mp, type] = line.split(' ')
    if (mp === undefined || type === undefined) continue
    if ((path === mp || path.startsWith(mp.endsWith('/') ? mp : `${mp}/`)) && mp.length >= best.mp.length) best = { mp, type }
  }
  return best.type
}
