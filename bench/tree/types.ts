// What every benchmark tree (generated on tmpfs, or real cgroup v1) tells the measurements.
import type { CgroupVersion, QosClass, Scope } from '../agent-api.js'

export interface TreePod {
  /** As the API server names it: dashed, or 32 hex for a static pod. */
  readonly podUid: string
  readonly qos: QosClass
  /** Absolute directory of the pod cgroup. */
  readonly podDir: string
  readonly containerIds: readonly string[]
}

export interface BenchTree {
  readonly version: CgroupVersion
  readonly real: boolean
  /** Everything the tree owns lives below this directory. */
  readonly base: string
  /** The agent's --cgroup-root. */
  readonly cgroupRoot: string
  /** The memory hierarchy: cgroupRoot (v2) or cgroupRoot/memory (v1). */
  readonly hierarchyRoot: string
  /** One cgroup directory per line: what the C floor reads. */
  listFile: string
  readonly pods: number
  readonly containers: number
  /** The directories the agent reads (pods and containers), as in listFile. */
  cgroupDirs: string[]
  readonly expected: readonly TreePod[]
  /** The agent's --scope and --cgroup-parent. */
  scope: Scope
  readonly parent: string
  /** What the collector should find when it is not pods + containers (real tree fallback). */
  expectedFound?: { readonly pods: number; readonly containers: number }
  /** Containers that hold page cache written by a real process (real tree only). */
  readonly writerDirs: readonly string[]
}
