// One look at the agent during churn: what /metrics says against the live set on disk, and
// what the kernel says about the process.
import { fdCount, procMemory } from '../proc.js'
import { cgroupIds, cgroupSeriesCount, namedPods } from '../metrics-text.js'

export interface AgentState {
  readonly livePods: number
  readonly liveContainers: number
  /** cgroups with series in /metrics. */
  readonly seriesPods: number
  readonly seriesContainers: number
  /** Series of cgroups that are gone, and live cgroups without series. */
  readonly stale: number
  readonly missing: number
  readonly examples: readonly string[]
  readonly cgroupSeries: number
  readonly namedPods: number
  readonly vmRssBytes: number
  readonly vmHwmBytes: number
  readonly fds: number
}

export function compareSeries(
  text: string,
  live: { readonly pods: ReadonlySet<string>; readonly containers: ReadonlySet<string> },
): Pick<
  AgentState,
  'livePods' | 'liveContainers' | 'seriesPods' | 'seriesContainers' | 'stale' | 'missing' | 'examples' | 'cgroupSeries' | 'namedPods'
> {
  const seen = cgroupIds(text)
  const examples: string[] = []
  let stale = 0
  let missing = 0
  for (const [have, want] of [
    [seen.pods, live.pods],
    [seen.containers, live.containers],
  ] as const) {
    for (const id of have) {
      if (want.has(id)) continue
      stale++
      if (examples.length < 3) examples.push(`stale: ${id}`)
    }
    for (const id of want) {
      if (have.has(id)) continue
      missing++
      if (examples.length < 3) examples.push(`missing: ${id}`)
    }
  }
  return {
    livePods: live.pods.size,
    liveContainers: live.containers.size,
    seriesPods: seen.pods.size,
    seriesContainers: seen.containers.size,
    stale,
    missing,
    examples,
    cgroupSeries: cgroupSeriesCount(text),
    namedPods: namedPods(text),
  }
}

export function agentState(
  pid: number,
  text: string,
  live: { readonly pods: ReadonlySet<string>; readonly containers: ReadonlySet<string> },
): AgentState {
  const m = procMemory(pid)
  return { ...compareSeries(text, live), vmRssBytes: m.vmRssBytes, vmHwmBytes: m.vmHwmBytes, fds: fdCount(pid) }
}
