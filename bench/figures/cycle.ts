// Figure (1): a collection cycle (Collector.collect(), in this process) beside the C floor on
// the same files, alternating in rounds; and diagnostics of where a cycle's time goes.
import { discover, noMetadata, publish, SnapshotRenderer, type CgroupVersion, type Snapshot } from '../agent-api.js'
import { mergeFloorRuns, runFloor, type FloorRun, type FloorSummary } from '../floor.js'
import { collectorFor, hierarchyOf, readerName, timedCollect } from '../in-process.js'
import { median, ratio } from '../stats.js'
import type { BenchTree } from '../tree/types.js'
import { checkFileList, spotCheck, type FileCheck } from './file-check.js'
import { nodeReadFloor } from './node-read.js'
import type { FiguresPlan } from './plan.js'
import { recordOpens } from './record-opens.js'

export interface CycleFigures {
  readonly reader: string
  readonly cycleMs: readonly number[]
  readonly cycleCpuMs: readonly number[]
  readonly medianMs: number
  readonly cpuMedianMs: number
  /** The directory walk alone (the C floor is handed the list). */
  readonly discoverMs: number
  /** Rendering the exposition into gzip, as the agent does once per cycle. */
  readonly renderMs: number
  readonly nodeReadMs: number
  readonly nodeReadCpuMs: number
  readonly found: { readonly pods: number; readonly containers: number }
  readonly files: FileCheck
  /** Against the C floor; NaN without one. */
  readonly ratio: number
  readonly cpuRatio: number
  readonly roundRatios: readonly number[]
}

export async function measureCycle(
  version: CgroupVersion,
  tree: BenchTree,
  floorBin: string | undefined,
  plan: FiguresPlan,
): Promise<{ cycle: CycleFigures; floor: FloorSummary | undefined }> {
  const collector = collectorFor(tree)
  // One cycle first: the reader's buffer grows to fit, so the recorded cycle opens each file once.
  let snap: Snapshot = await collector.collect()
  const opened = await recordOpens(async () => {
    snap = await collector.collect()
  })
  const reader = readerName()
  const files = checkFileList(version, opened, tree, reader.startsWith('native'))
  const found = { pods: snap.pods.length, containers: snap.containers.length }
  const expected = tree.expectedFound ?? { pods: tree.pods, containers: tree.containers }
  if (found.pods !== expected.pods || found.containers !== expected.containers) {
    files.notes.push(
      `snapshot has ${found.pods} pods / ${found.containers} containers; the tree has ${expected.pods} / ${expected.containers}`,
    )
  }
  files.notes.push(...spotCheck(version, tree, snap))

  for (let i = 0; i < plan.cycleWarmup; i++) await collector.collect()
  const cycleMs: number[] = []
  const cycleCpuMs: number[] = []
  const floorRuns: FloorRun[] = []
  const roundRatios: number[] = []
  for (let round = 0; round < plan.rounds; round++) {
    const f = floorBin === undefined ? undefined : runFloor(floorBin, tree.listFile, version, plan.passesPerRound, plan.floorWarmup)
    if (f !== undefined) floorRuns.push(f)
    const roundMs: number[] = []
    for (let i = 0; i < plan.passesPerRound; i++) {
      const s = await timedCollect(collector)
      roundMs.push(s.wallMs)
      cycleMs.push(s.wallMs)
      cycleCpuMs.push(s.cpuMs)
    }
    if (f !== undefined) roundRatios.push(median(roundMs) / (median(f.nsPerPass) / 1e6))
  }
  snap = collector.latest ?? snap
  const floor = floorRuns.length === 0 ? undefined : mergeFloorRuns(floorRuns)

  const discoverMs = timeDiscover(tree, files.notes)
  const renderMs = await timeRender(snap)
  const nodeRead = nodeReadFloor(version, tree.cgroupDirs, plan.rounds * plan.passesPerRound)
  const medianMs = median(cycleMs)
  const cpuMedianMs = median(cycleCpuMs)
  const cycle: CycleFigures = {
    reader,
    cycleMs,
    cycleCpuMs,
    medianMs,
    cpuMedianMs,
    discoverMs,
    renderMs,
    nodeReadMs: nodeRead.medianMs,
    nodeReadCpuMs: nodeRead.cpuMedianMs,
    found,
    files,
    ratio: ratio(medianMs, floor?.medianMs ?? NaN),
    cpuRatio: ratio(cpuMedianMs, floor?.cpuMedianMs ?? NaN),
    roundRatios,
  }
  return { cycle, floor }
}

/** How much of a cycle is the directory walk. */
function timeDiscover(tree: BenchTree, notes: string[]): number {
  const hierarchy = hierarchyOf(tree)
  const t: number[] = []
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now()
    let n = 0
    for (const _ref of discover(hierarchy, { scope: tree.scope, parent: tree.parent })) n++
    t.push(performance.now() - t0)
    if (n !== tree.cgroupDirs.length) notes.push(`discover() yielded ${n} refs, the tree has ${tree.cgroupDirs.length}`)
  }
  return median(t)
}

/**
 * What rendering costs the agent's own way: one renderer kept across cycles (its label sets
 * cached), its output streamed family by family into gzip (zlib works on the thread pool).
 */
async function timeRender(snap: Snapshot): Promise<number> {
  const renderer = new SnapshotRenderer()
  const t: number[] = []
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now()
    await publish('', renderer.steps(snap, { disabled: new Set(), metadata: noMetadata }))
    t.push(performance.now() - t0)
  }
  return median(t)
}
