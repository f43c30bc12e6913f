// Plays a container that writes faster than its disk drains, on a cgroup v2 fixture directory:
// usage near the limit, and dirty + writeback swinging between zero and more than half the
// limit every few hundred milliseconds, as the kernel's counters did under dd on Linux 6.18.
// Files are replaced by rename, so the agent never reads a half-written one.
import { readFileSync, renameSync, writeFileSync } from 'node:fs'

const MIB = 1024 * 1024

export interface DirtyWriter {
  /** Phases written so far. */
  readonly phases: number
  /** The kernel kills the writer: memory.events oom_kill moves, in the container and its pod. */
  kill(podDir: string): void
  stop(): void
}

function replaceAtomically(file: string, content: string): void {
  writeFileSync(`${file}.tmp`, content)
  renameSync(`${file}.tmp`, file)
}

function setStat(stat: string, key: string, value: number): string {
  const re = new RegExp(`^${key} \\d+$`, 'm')
  if (!re.test(stat)) throw new Error(`memory.stat has no ${key} line`)
  return stat.replace(re, `${key} ${value}`)
}

export function startDirtyWriter(cgroupDir: string, limitBytes: number, periodMs = 300): DirtyWriter {
  const template = readFileSync(`${cgroupDir}/memory.stat`, 'utf8')
  replaceAtomically(`${cgroupDir}/memory.max`, `${limitBytes}\n`)
  replaceAtomically(`${cgroupDir}/memory.current`, `${limitBytes - 6 * MIB}\n`)
  let phases = 0
  let kills = 0
  const events = (max: number, oomKills: number): string =>
    `low 0\nhigh 0\nmax ${max}\noom ${oomKills}\noom_kill ${oomKills}\noom_group_kill 0\n`
  const write = (): void => {
    const high = phases % 2 === 0
    const dirty = high ? 100 * MIB : 0
    const writeback = high ? 40 * MIB : 0
    let stat = setStat(template, 'file_dirty', dirty)
    stat = setStat(stat, 'file_writeback', writeback)
    stat = setStat(stat, 'file', limitBytes - 8 * MIB)
    // Most written pages sit on the inactive list; ~110 MiB stays active (the working set).
    stat = setStat(stat, 'inactive_file', limitBytes - 116 * MIB)
    stat = setStat(stat, 'anon', MIB)
    replaceAtomically(`${cgroupDir}/memory.stat`, stat)
    // Reclaim at the limit: the limit-hit counter climbs by hundreds a second.
    replaceAtomically(`${cgroupDir}/memory.events`, events(phases * 150, kills))
    phases++
  }
  write()
  // The tree may be removed before stop() runs (tap cleans fixtures first): then the writer stops.
  const timer = setInterval(() => {
    try {
      write()
    } catch {
      clearInterval(timer)
    }
  }, periodMs)
  return {
    get phases() {
      return phases
    },
    kill(podDir) {
      kills++
      replaceAtomically(`${cgroupDir}/memory.events`, events(phases * 150, kills))
      replaceAtomically(`${podDir}/memory.events`, events(phases * 150, kills))
    },
    stop: () => clearInterval(timer),
  }
}
