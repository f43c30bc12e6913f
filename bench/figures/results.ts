// What the default mode (and --real) measures per tree, as written to results.json.
import type { CgroupVersion } from '../agent-api.js'
import type { FloorSummary } from '../floor.js'
import type { RemoveResult } from '../tree/real-tree.js'
import type { CycleFigures } from './cycle.js'
import type { FiguresPlan } from './plan.js'
import type { ProcessFigures } from './process.js'
import type { Discovery } from './real.js'

/** One column of the report: a tmpfs tree per version, or the real cgroup v1 tree. */
export interface Column {
  readonly key: string
  readonly version: CgroupVersion
  readonly real: boolean
  readonly label: string
}

export interface TreeInfo {
  readonly root: string
  readonly fs: string
  readonly pods: number
  readonly containers: number
  cgroups: number
  base?: string
  parent?: string
  writers?: { readonly cgroups: readonly string[]; readonly bytes: number }
  discovery?: Discovery
  scope?: string
  cleanup?: RemoveResult & { readonly timings: Readonly<Record<string, number>> }
}

export interface VersionResult {
  tree?: TreeInfo
  cycle?: CycleFigures
  floor?: FloorSummary
  process?: ProcessFigures
  errors: string[]
}

export interface FiguresResults {
  readonly date: string
  readonly node: string
  readonly cpus: number
  readonly cpuModel: string | undefined
  readonly kernel: string
  readonly quick: boolean
  readonly real: boolean
  readonly plan: FiguresPlan
  readonly targets: Readonly<Record<string, number | string>>
  caveat: string
  readonly columns: readonly Column[]
  readonly skipped: readonly string[]
  readonly versions: Record<string, VersionResult>
  errors: string[]
  loadAverage: { before: number; after: number }
  totalSeconds: number
  /** --real: the cgroups below our own memory cgroup after cleanup. */
  leftBelowOwn?: { readonly own: string | undefined; readonly children: readonly string[] }
}
