// The comparison with the C floor is only fair when both read the same files of the same
// cgroups and get the same numbers: checks of that, as notes for the report.
import { readFileSync } from 'node:fs'
import { basename, join } from 'node:path'
import type { CgroupVersion, Snapshot } from '../agent-api.js'
import { FILES } from '../files.js'
import type { BenchTree } from '../tree/types.js'
import type { RecordedOpens } from './record-opens.js'

export interface FileCheck {
  /** Files the agent opened in the tree per cycle; NaN when its opens could not be seen. */
  readonly openedPerCycle: number
  readonly openedOutsideTree: number
  readonly notes: string[]
}

/** Compares the agent's file list (READ_SPEC, which the C floor reads) with what it really opened. */
export function checkFileList(version: CgroupVersion, opened: RecordedOpens, tree: BenchTree, native: boolean): FileCheck {
  const ours = FILES[version].map((f) => f.name)
  const notes: string[] = []
  const byName = new Map<string, number>()
  for (const p of opened.paths) {
    if (!p.startsWith(tree.hierarchyRoot)) continue
    const name = basename(p)
    byName.set(name, (byName.get(name) ?? 0) + 1)
  }
  const cgroups = tree.cgroupDirs.length
  if (byName.size === 0) {
    notes.push(
      native && !opened.nativeSeen
        ? 'the native reader opens files in C and its calls could not be watched: MEMLENS_NATIVE=0 checks what the agent opens'
        : 'saw no file opens through node:fs openSync or the native reader (reads in a worker thread, or another API?): the file list was not checked against what the agent reads',
    )
    return { openedPerCycle: NaN, openedOutsideTree: opened.paths.length, notes }
  }
  for (const [name, n] of byName) {
    if (!ours.includes(name)) notes.push(`agent opened ${name} ${n}x per cycle; READ_SPEC (so the C floor) does not list it`)
    else if (n !== cgroups) notes.push(`agent opened ${name} ${n}x per cycle for ${cgroups} cgroups`)
  }
  for (const name of ours) if (!byName.has(name)) notes.push(`C floor reads ${name}; the agent did not open it`)
  const inTree = [...byName.values()].reduce((a, b) => a + b, 0)
  return { openedPerCycle: inTree, openedOutsideTree: opened.paths.length - inTree, notes }
}

/** A few cgroups: the agent's usage must equal the number in the file. */
export function spotCheck(version: CgroupVersion, tree: BenchTree, snap: Snapshot): string[] {
  const notes: string[] = []
  const file = version === 'v1' ? 'memory.usage_in_bytes' : 'memory.current'
  const byId = new Map([...snap.pods, ...snap.containers].map((s) => [s.ref.id, s]))
  for (const dir of [tree.cgroupDirs[0], tree.cgroupDirs[1], tree.cgroupDirs.at(-1), ...tree.writerDirs]) {
    if (dir === undefined) continue
    const id = dir.slice(tree.hierarchyRoot.length)
    const want = Number(readFileSync(join(dir, file), 'latin1').trim())
    const got = byId.get(id)?.reading.memory.usageBytes
    if (got !== want) notes.push(`spot check ${id}: agent usageBytes ${got}, ${file} says ${want}`)
  }
  return notes
}
