// The C floor (bench/floor.c): the least a program can do to collect the same numbers as the
// agent. Built with gcc into bench/out/, run over a list file of cgroup directories, and its one
// line of JSON checked field by field.
//
// Given the lists of floorLists() (runFloor's `view`), a whole pass also does what the agent's
// discovery and process view do: list the directories from the hierarchy root down to each pod,
// read each container's cgroup.procs and the /proc/PID/status of every PID in it. The memory
// files alone are measured in passes of their own, so both figures come out of one run. Without
// a view (the figures mode, whose in-process collector reads no processes) a pass is the memory
// files alone and the two figures are the same passes.
import { errorMessage } from './errors.js'
import { spawn, spawnSync } from 'node:child_process'
import { once } from 'node:events'
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join, sep } from 'node:path'
import type { CgroupVersion } from './agent-api.js'
import { FILES, floorArgs } from './files.js'
import { isRecord } from './guards.js'
import { FLOOR_SOURCE, OUT } from './paths.js'
import { median } from './stats.js'

/** One run of the floor binary: PASSES timed rounds after WARMUP untimed ones (bench/floor.c). */
export interface FloorRun {
  readonly cgroups: number
  readonly files: number
  readonly fields: number
  /** The whole pass: directory listings, memory files, cgroup.procs, /proc/PID/status. */
  readonly nsPerPass: readonly number[]
  readonly cpuNsPerPass: readonly number[]
  /** The memory files alone (the floor before the process view); the whole pass without a view. */
  readonly memoryNsPerPass: readonly number[]
  readonly memoryCpuNsPerPass: readonly number[]
  /** Files opened by a whole pass: memory files, cgroup.procs and /proc/PID/status. */
  readonly openedPerPass: number
  readonly memoryOpenedPerPass: number
  /** Memory files absent. */
  readonly missingPerPass: number
  readonly bytesPerPass: number
  readonly dirsListedPerPass: number
  readonly dirEntriesPerPass: number
  readonly procsReadPerPass: number
  readonly pidsPerPass: number
  readonly statusReadPerPass: number
  readonly statusGonePerPass: number
  /** VmRSS summed by the last whole pass. */
  readonly vmRssKb: number
  readonly absentFields: number
  readonly checksum: number
}

/** Runs merged: every pass of every round, and their medians in milliseconds. */
export interface FloorSummary extends FloorRun {
  readonly runs: number
  readonly passes: number
  /** The whole pass: what the agent does per collection. */
  readonly medianMs: number
  readonly cpuMedianMs: number
  /** The memory files alone. */
  readonly memoryMedianMs: number
  readonly memoryCpuMedianMs: number
}

const isNumbers = (x: unknown): x is number[] => Array.isArray(x) && x.every((n) => typeof n === 'number')

/** Parses the floor's stdout; throws naming the field that is missing or malformed. */
export function parseFloorOutput(text: string): FloorRun {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    throw new Error(`floor printed no JSON: ${JSON.stringify(text.slice(0, 200))}`)
  }
  if (!isRecord(json)) throw new Error('floor printed JSON that is not an object')
  const num = (key: string): number => {
    const v = json[key]
    if (typeof v !== 'number') throw new Error(`floor output: ${key} is not a number`)
    return v
  }
  const list = (key: string): number[] => {
    const v = json[key]
    if (!isNumbers(v)) throw new Error(`floor output: ${key} is not a list of numbers`)
    return v
  }
  return {
    cgroups: num('cgroups'),
    files: num('files'),
    fields: num('fields'),
    nsPerPass: list('nsPerPass'),
    cpuNsPerPass: list('cpuNsPerPass'),
    memoryNsPerPass: list('memoryNsPerPass'),
    memoryCpuNsPerPass: list('memoryCpuNsPerPass'),
    openedPerPass: num('openedPerPass'),
    memoryOpenedPerPass: num('memoryOpenedPerPass'),
    missingPerPass: num('missingPerPass'),
    bytesPerPass: num('bytesPerPass'),
    dirsListedPerPass: num('dirsListedPerPass'),
    dirEntriesPerPass: num('dirEntriesPerPass'),
    procsReadPerPass: num('procsReadPerPass'),
    pidsPerPass: num('pidsPerPass'),
    statusReadPerPass: num('statusReadPerPass'),
    statusGonePerPass: num('statusGonePerPass'),
    vmRssKb: num('vmRssKb'),
    absentFields: num('absentFields'),
    checksum: num('checksum'),
  }
}

export function mergeFloorRuns(runs: readonly FloorRun[]): FloorSummary {
  const first = runs[0]
  if (first === undefined) throw new Error('no floor runs to merge')
  const nsPerPass = runs.flatMap((r) => r.nsPerPass)
  const cpuNsPerPass = runs.flatMap((r) => r.cpuNsPerPass)
  const memoryNsPerPass = runs.flatMap((r) => r.memoryNsPerPass)
  const memoryCpuNsPerPass = runs.flatMap((r) => r.memoryCpuNsPerPass)
  return {
    ...first,
    runs: runs.length,
    passes: nsPerPass.length,
    nsPerPass,
    cpuNsPerPass,
    memoryNsPerPass,
    memoryCpuNsPerPass,
    medianMs: median(nsPerPass) / 1e6,
    cpuMedianMs: median(cpuNsPerPass) / 1e6,
    memoryMedianMs: median(memoryNsPerPass) / 1e6,
    memoryCpuMedianMs: median(memoryCpuNsPerPass) / 1e6,
  }
}

/** What the agent does besides the memory files, as directory lists for the floor. */
export interface FloorLists {
  /** Listed (opendir, readdir to the end, closedir) per pass: the hierarchy root down to each pod. */
  readonly walk: readonly string[]
  /** Container cgroups: cgroup.procs read, then /proc/PID/status of each PID. */
  readonly containers: readonly string[]
}

/**
 * The directories the agent lists and the cgroups whose processes it reads, from the cgroups
 * it reads (pods and containers) alone. Listed: every ancestor of a cgroup, from the hierarchy
 * root down (root, kubepods, the QoS slices, and each pod, as the parent of its containers); a
 * container is a cgroup with no cgroup below it. First seen first, ancestors before descendants.
 * (A pod without containers would pass for a container here; generated trees have none.)
 * `serve` also lists what lies beside kubepods (system.slice and each service in it: it cannot
 * know that kubepods is not below them); the floor does not, as a program that knew where the
 * pods are would not.
 */
export function floorLists(hierarchyRoot: string, cgroupDirs: readonly string[]): FloorLists {
  const root = hierarchyRoot.length > 1 && hierarchyRoot.endsWith(sep) ? hierarchyRoot.slice(0, -1) : hierarchyRoot
  const walk = new Set<string>()
  for (const dir of cgroupDirs) {
    if (!dir.startsWith(root === sep ? root : root + sep)) throw new Error(`${dir} is not below the hierarchy root ${root}`)
    const ancestors: string[] = []
    for (let p = dirname(dir); p !== root; p = dirname(p)) ancestors.push(p)
    walk.add(root)
    for (const a of ancestors.reverse()) walk.add(a)
  }
  return { walk: [...walk], containers: cgroupDirs.filter((d) => !walk.has(d)) }
}

/** The files runFloor reads the lists of floorLists() from. */
export interface FloorView {
  readonly walkFile: string
  readonly containersFile: string
}

/** Writes floorLists() of a tree beside its list file (in the tree's own directory). */
export function writeFloorView(tree: {
  readonly base: string
  readonly hierarchyRoot: string
  readonly cgroupDirs: readonly string[]
}): FloorView {
  const lists = floorLists(tree.hierarchyRoot, tree.cgroupDirs)
  const walkFile = join(tree.base, 'floor-walk.txt')
  const containersFile = join(tree.base, 'floor-containers.txt')
  writeFileSync(walkFile, lists.walk.join('\n') + '\n')
  writeFileSync(containersFile, lists.containers.join('\n') + '\n')
  return { walkFile, containersFile }
}

/** The floor's binary, or undefined with the reason pushed onto errors (the run goes on without it). */
export function tryBuildFloor(errors: string[]): string | undefined {
  try {
    return buildFloor()
  } catch (er) {
    errors.push(`C floor: ${errorMessage(er)}`)
    return undefined
  }
}

/** Compiles bench/floor.c into dir (bench/out/ unless given); returns the binary's path. */
export function buildFloor(dir: string = OUT): string {
  mkdirSync(dir, { recursive: true })
  const bin = join(dir, 'floor')
  const r = spawnSync('gcc', ['-O2', '-Wall', '-o', bin, FLOOR_SOURCE], { encoding: 'utf8' })
  if (r.error !== undefined) throw new Error(`cannot run gcc: ${r.error.message}`)
  if (r.status !== 0) throw new Error(`gcc failed:\n${r.stderr}`)
  return bin
}

/** Runs the floor; with a view, its whole pass also lists the directories and reads the processes. */
export function runFloor(
  bin: string,
  listFile: string,
  version: CgroupVersion,
  passes: number,
  warmup: number,
  view?: FloorView,
): FloorRun {
  const r = spawnSync(bin, floorRunArgs(listFile, version, passes, warmup, view), { encoding: 'utf8', timeout: 120_000 })
  if (r.status !== 0) throw new Error(`floor exited ${r.status ?? r.signal}: ${r.stderr}`)
  return parseFloorOutput(r.stdout)
}

/**
 * Runs the floor in the background at the agent's pace: a pass every intervalMs (floor -i), as
 * the agent collects once per interval. Started beside the agent's measured window, it sees the
 * same machine at the same moment: the shared cores drift by ±15-30 % within minutes.
 */
export async function runFloorPaced(
  bin: string,
  listFile: string,
  version: CgroupVersion,
  passes: number,
  intervalMs: number,
  view?: FloorView,
): Promise<FloorRun> {
  const child = spawn(bin, ['-i', String(intervalMs), ...floorRunArgs(listFile, version, passes, 0, view)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d))
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d))
  const [code, signal] = (await once(child, 'close')) as [number | null, NodeJS.Signals | null]
  if (code !== 0) throw new Error(`floor exited ${code ?? signal}: ${stderr}`)
  return parseFloorOutput(stdout)
}

function floorRunArgs(listFile: string, version: CgroupVersion, passes: number, warmup: number, view?: FloorView): string[] {
  const viewArgs = view === undefined ? [] : ['-d', view.walkFile, '-c', view.containersFile]
  return [...viewArgs, listFile, version, String(passes), String(warmup), ...floorArgs(FILES[version])]
}

/**
 * Why the floor's whole pass did not do what the agent does on this tree (each container's
 * cgroup.procs read, one live PID in each, its status read), or undefined when it did.
 */
export function floorUnlikeAgent(floor: FloorSummary, containers: number): string | undefined {
  const problems: string[] = []
  if (floor.procsReadPerPass !== containers) problems.push(`read ${floor.procsReadPerPass} cgroup.procs for ${containers} containers`)
  if (floor.statusReadPerPass !== containers) problems.push(`read ${floor.statusReadPerPass} /proc/PID/status for ${containers} containers`)
  if (floor.statusGonePerPass > 0) problems.push(`${floor.statusGonePerPass} PIDs per pass were gone`)
  if (floor.missingPerPass > 0) problems.push(`${floor.missingPerPass} memory files per pass were missing`)
  return problems.length === 0 ? undefined : problems.join('; ')
}
