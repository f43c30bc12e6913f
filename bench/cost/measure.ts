// The standing cost at one node size: the C floor's CPU per pass, the collector's CPU per
// cycle in this process (process.cpuUsage around each cycle), and `memlens serve` as a child
// process without and with Kubernetes names. The floor runs back to back before and after the
// agent (what the in-process collector, also back to back, is against), and at the agent's pace
// beside each `serve` window (what `serve` is against): the shared cores drift by ±15-30 %
// within minutes, and a floor measured in the same window sees the same machine.
//
// Everything here does what `serve` does by default, process view included: the floor's whole
// pass lists the directories and reads cgroup.procs and /proc/PID/status (floor.ts), and the
// in-process collector reads the processes from /proc. The generated containers list this
// process's PID (tree/cgroup-writer.ts), so each of them reads a live /proc/PID/status.
import type { CgroupVersion } from '../agent-api.js'
import { errorMessage } from '../errors.js'
import { floorUnlikeAgent, mergeFloorRuns, runFloor, runFloorPaced, writeFloorView, type FloorSummary } from '../floor.js'
import { collectorFor, timedCollect } from '../in-process.js'
import { startKube } from '../kube-fixture.js'
import { median } from '../stats.js'
import { step } from '../step.js'
import type { GeneratedTree } from '../tree/gen-tree.js'
import { serveCost, type ServeCost } from './serve-cost.js'

/** Where `serve` reads processes by default (--proc-root), and so the in-process collector. */
const PROC_ROOT = '/proc'

export interface CostPlan {
  readonly interval: string
  readonly intervalMs: number
  readonly windowMs: number
  readonly warmupMs: number
  readonly inProcessCycles: number
  readonly floorPasses: number
  readonly apiPods: number
}

export interface SizeCost {
  readonly version: CgroupVersion
  readonly cgroups: number
  readonly pods: number
  readonly floor?: FloorSummary
  readonly inProcess?: { readonly cpuMedianMs: number; readonly wallMedianMs: number; readonly cycles: number }
  readonly serve?: ServeCost
  readonly serveKube?: ServeCost
}

export async function measureSize(tree: GeneratedTree, floorBin: string | undefined, plan: CostPlan, errors: string[]): Promise<SizeCost> {
  const { version } = tree
  const label = `${version} ${tree.cgroupDirs.length} cgroups`
  const view = await step(errors, label, 'C floor lists', () => writeFloorView(tree))
  const floorRun = (): ReturnType<typeof runFloor> | undefined =>
    floorBin === undefined || view === undefined ? undefined : runFloor(floorBin, tree.listFile, version, plan.floorPasses, 1, view)
  const floorBefore = await step(errors, label, 'C floor', floorRun)

  const inProcess = await step(errors, label, 'collector in-process', async () => {
    const collector = collectorFor(tree, tree.scope, PROC_ROOT)
    for (let i = 0; i < 2; i++) await collector.collect()
    const samples = []
    for (let i = 0; i < plan.inProcessCycles; i++) samples.push(await timedCollect(collector))
    return { cpuMedianMs: median(samples.map((s) => s.cpuMs)), wallMedianMs: median(samples.map((s) => s.wallMs)), cycles: samples.length }
  })

  const agent = { cgroupRoot: tree.cgroupRoot, interval: plan.interval }
  // A pass per interval, ending inside the window (each pass takes well under an interval).
  const floorBeside = async (windowMs: number): Promise<FloorSummary | undefined> => {
    if (floorBin === undefined || view === undefined) return undefined
    const passes = Math.max(3, Math.floor(windowMs / plan.intervalMs) - 3)
    try {
      return mergeFloorRuns([await runFloorPaced(floorBin, tree.listFile, version, passes, plan.intervalMs, view)])
    } catch (er) {
      errors.push(`${label}: C floor beside serve: ${errorMessage(er)}`)
      return undefined
    }
  }
  const serve = await step(errors, label, 'memlens serve', () =>
    serveCost({ agent, intervalMs: plan.intervalMs, windowMs: plan.windowMs, warmupMs: plan.warmupMs, floorBeside }),
  )
  const serveKube = await step(errors, label, `memlens serve, names of ${plan.apiPods} pods`, async () => {
    const kube = await startKube(tree.base, tree.expected, plan.apiPods)
    try {
      return await serveCost({
        agent: { ...agent, extraArgs: kube.args },
        intervalMs: plan.intervalMs,
        windowMs: plan.windowMs,
        warmupMs: plan.warmupMs,
        floorBeside,
        expectNamed: kube.named,
      })
    } finally {
      await kube.close()
    }
  })
  const floorAfter = await step(errors, label, 'C floor again', floorRun)
  const runs = [floorBefore, floorAfter].flatMap((f) => (f === undefined ? [] : [f]))
  const floor = runs.length > 0 ? mergeFloorRuns(runs) : undefined
  const unlike = floor === undefined ? undefined : floorUnlikeAgent(floor, tree.containers)
  if (unlike !== undefined) errors.push(`${label}: C floor: ${unlike}`)
  return {
    version,
    cgroups: tree.cgroupDirs.length,
    pods: tree.pods,
    ...(floor === undefined ? {} : { floor }),
    ...(inProcess === undefined ? {} : { inProcess }),
    ...(serve === undefined ? {} : { serve }),
    ...(serveKube === undefined ? {} : { serveKube }),
  }
}
