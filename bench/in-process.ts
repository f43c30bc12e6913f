// The agent's collector run inside the benchmark's own process, on a benchmark tree:
// the cycle alone, without the server, the renderer or the Kubernetes side.
import { pino } from 'pino'
import { Collector, findHierarchy, nativeState, type Scope } from './agent-api.js'
import type { BenchTree } from './tree/types.js'

const silent = pino({ level: 'silent' })

export type Hierarchy = ReturnType<typeof findHierarchy>

/** The hierarchy of the tree, checked: the agent must find the one the tree made. */
export function hierarchyOf(tree: BenchTree): Hierarchy {
  const hierarchy = findHierarchy({ cgroupRoot: tree.cgroupRoot })
  if (hierarchy.version !== tree.version || hierarchy.root !== tree.hierarchyRoot) {
    throw new Error(`findHierarchy found ${JSON.stringify(hierarchy)}, expected ${tree.version} at ${tree.hierarchyRoot}`)
  }
  return hierarchy
}

/**
 * The agent's collector on the tree. With procRoot ('/proc' as `serve` has it) it also reads
 * each container's processes (cgroup.procs, /proc/PID/status), as `serve` does by default;
 * without, the memory files alone.
 */
export function collectorFor(tree: BenchTree, scope: Scope = tree.scope, procRoot?: string): Collector {
  return new Collector({
    hierarchy: hierarchyOf(tree),
    scope,
    parent: tree.parent,
    logger: silent,
    ...(procRoot === undefined ? {} : { procRoot }),
  })
}

/** Which reader the agent uses here, in words for the report. */
export function readerName(): string {
  const state = nativeState()
  return state.loaded ? 'native (one call per cgroup)' : `node:fs (${state.reason})`
}

export interface CycleSample {
  readonly wallMs: number
  readonly cpuMs: number
}

/** One collection, timed by the wall clock and by this process's CPU time. */
export async function timedCollect(collector: Collector): Promise<CycleSample> {
  const c0 = process.cpuUsage()
  const t0 = performance.now()
  await collector.collect()
  const wallMs = performance.now() - t0
  const cpu = process.cpuUsage(c0)
  return { wallMs, cpuMs: (cpu.user + cpu.system) / 1000 }
}
