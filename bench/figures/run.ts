// The default mode (issue 2's four figures on tmpfs trees, one per cgroup version) and --real
// (the same on real cgroup v1 memory cgroups). Prints the report, writes results.json.
import { existsSync, rmSync } from 'node:fs'
import os from 'node:os'
import { resolve } from 'node:path'
import type { Options } from '../args.js'
import { tryBuildFloor, mergeFloorRuns, runFloor } from '../floor.js'
import { log } from '../log.js'
import { MAIN } from '../paths.js'
import { fsTypeOf, loadAverage } from '../proc.js'
import { machine, writeResults } from '../results-file.js'
import { step } from '../step.js'
import { TARGETS } from '../targets.js'
import { generateTree, type GeneratedTree } from '../tree/gen-tree.js'
import { v2SkipReason, type RealTree } from '../tree/real-tree.js'
import { CAVEAT, REAL_CAVEAT } from './caveats.js'
import { measureCycle } from './cycle.js'
import { figuresPlan, type FiguresPlan } from './plan.js'
import { measureProcess } from './process.js'
import { checkRealDiscovery, cleanupReal, makeRealTree, ownCgroupChildren, removeRealTreeOnExit } from './real.js'
import { figuresReport } from './report.js'
import type { Column, FiguresResults, TreeInfo, VersionResult } from './results.js'

export function columnsOf(o: Options): { columns: Column[]; skipped: string[] } {
  if (o.mode === 'real') {
    return {
      columns: o.versions.includes('v1') ? [{ key: 'v1-real', version: 'v1', real: true, label: 'cgroup v1 (real cgroupfs)' }] : [],
      skipped: o.versions.includes('v2') ? [`v2: skipped: ${v2SkipReason()}`] : [],
    }
  }
  return { columns: o.versions.map((v) => ({ key: v, version: v, real: false, label: `cgroup ${v}` })), skipped: [] }
}

async function benchColumn(col: Column, o: Options, plan: FiguresPlan, floorBin: string | undefined): Promise<VersionResult> {
  const errors: string[] = []
  const { key, version } = col
  const tree: GeneratedTree | RealTree | undefined = col.real
    ? await makeRealTree(errors, key, plan.pods, plan.containersPerPod, o.keep)
    : await step(errors, key, 'generate tree', () =>
        generateTree({
          version,
          pods: plan.pods,
          containersPerPod: plan.containersPerPod,
          ...(o.tmpdir === undefined ? {} : { tmp: resolve(o.tmpdir) }),
        }),
      )
  if (tree === undefined) return { errors }
  const info: TreeInfo = {
    root: tree.cgroupRoot,
    fs: fsTypeOf(tree.base),
    pods: tree.pods,
    containers: tree.containers,
    cgroups: tree.cgroupDirs.length,
  }
  const r: VersionResult = { tree: info, errors }
  try {
    if (tree.real) {
      info.base = tree.base
      info.parent = tree.parent
      info.writers = { cgroups: tree.writerDirs.map((d) => d.slice(tree.hierarchyRoot.length)), bytes: tree.writerBytes }
      const d = await step(errors, key, 'check discovery', () => checkRealDiscovery(tree))
      if (d === undefined) return r
      info.discovery = d
      info.scope = tree.scope
      info.cgroups = tree.cgroupDirs.length
    }
    const c = await step(errors, key, 'collection cycle vs C floor', () => measureCycle(version, tree, floorBin, plan))
    if (c !== undefined) r.cycle = c.cycle
    if (c?.floor !== undefined) r.floor = c.floor
    if (r.floor === undefined && floorBin !== undefined) {
      // The agent side failed: still record the floor, for the next run to compare with.
      const f = await step(errors, key, 'C floor alone', () =>
        runFloor(floorBin, tree.listFile, version, plan.passesPerRound * plan.rounds, plan.floorWarmup),
      )
      if (f !== undefined) r.floor = mergeFloorRuns([f])
    }
    if (existsSync(MAIN)) {
      const p = await step(errors, key, 'agent process', () => measureProcess(tree, plan))
      if (p !== undefined) r.process = p
    } else errors.push(`${key} agent process: ${MAIN} does not exist (npm run build)`)
    return r
  } finally {
    if (tree.real) {
      const rm = cleanupReal()
      if (rm !== undefined) info.cleanup = { ...rm, timings: tree.timings }
    } else if (!o.keep) rmSync(tree.base, { recursive: true, force: true })
    else log(`${key} tree kept at ${tree.base}`)
  }
}

export async function runFigures(o: Options): Promise<number> {
  const started = performance.now()
  const loadBefore = loadAverage()
  const plan = figuresPlan(o)
  const { columns, skipped } = columnsOf(o)
  if (o.mode === 'real') removeRealTreeOnExit()
  const errors: string[] = []
  const floorBin = tryBuildFloor(errors)
  const cgroups = plan.pods * (plan.containersPerPod + 1)
  log(
    `${plan.pods} pods x ${plan.containersPerPod} containers = ${cgroups} cgroups per tree; ${columns.map((c) => c.label).join(', ') || 'no tree'}`,
  )
  for (const s of skipped) log(s)
  if (columns.length === 0) {
    console.error('bench: nothing to measure (--real covers cgroup v1 only; add v1 to --versions)')
    return 1
  }
  const results: FiguresResults = {
    ...machine(),
    quick: o.quick,
    real: o.mode === 'real',
    plan,
    targets: { ...TARGETS, note: 'goals from issues 2 and 9; reported, not asserted' },
    caveat: '',
    columns,
    skipped,
    versions: {},
    errors,
    loadAverage: { before: loadBefore, after: NaN },
    totalSeconds: NaN,
  }
  for (const col of columns) {
    const r = await benchColumn(col, o, plan, floorBin)
    results.versions[col.key] = r
    errors.push(...r.errors)
  }
  if (results.real) {
    const t = results.versions['v1-real']?.tree
    const w = t?.writers
    const written =
      w === undefined || w.cgroups.length === 0
        ? 'no cgroup holds any page cache of ours'
        : `only ${w.cgroups.length} containers hold ${(w.bytes / w.cgroups.length / 1048576).toFixed(1)} MiB each of page cache, written by dd`
    results.caveat = REAL_CAVEAT.replace('%KERNEL%', os.release())
      .replace('%WRITTEN%', written)
      .replace('%PARENT%', t?.parent ?? 'n/a')
    results.leftBelowOwn = ownCgroupChildren()
    const ours = results.leftBelowOwn.children.filter((n) => n.startsWith('memlens-bench-'))
    if (ours.length > 0) errors.push(`real tree: left behind below ${results.leftBelowOwn.own ?? '?'}: ${ours.join(', ')}`)
  } else {
    const fsTypes = [...new Set(Object.values(results.versions).flatMap((r) => (r.tree?.fs === undefined ? [] : [r.tree.fs])))]
    results.caveat = CAVEAT.replace('%FS%', fsTypes.length > 0 ? fsTypes.join('/') : 'a plain filesystem')
  }
  results.loadAverage.after = loadAverage()
  results.totalSeconds = Number(((performance.now() - started) / 1000).toFixed(1))
  const file = writeResults(results.real ? 'results-real.json' : 'results.json', results)
  console.log(figuresReport(results, file))
  return errors.length > 0 ? 1 : 0
}
