// What the benchmark reads from a /metrics body (Prometheus text format). Pure.

/** Sample lines: neither comments nor blank. */
export function seriesCount(text: string): number {
  let n = 0
  for (const line of text.split('\n')) if (line !== '' && line[0] !== '#') n++
  return n
}

const sampleOf = (text: string, name: string): number => {
  const m = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)`, 'm').exec(text)
  return m === null ? NaN : Number(m[1])
}

/** Collections so far and the time they took, from the agent's own metrics. */
export function cycleCounters(text: string): { readonly count: number; readonly sumSeconds: number } {
  return {
    count: sampleOf(text, 'memlens_collect_duration_seconds_count'),
    sumSeconds: sampleOf(text, 'memlens_collect_duration_seconds_sum'),
  }
}

/** The `id` labels of the per-cgroup series (memlens_pod_* and memlens_container_*). */
export function cgroupIds(text: string): { readonly pods: Set<string>; readonly containers: Set<string> } {
  const pods = new Set<string>()
  const containers = new Set<string>()
  for (const m of text.matchAll(/^memlens_(pod|container)_[a-z0-9_]*\{(?:[^}]*,)?id="((?:[^"\\]|\\.)*)"/gm)) {
    const id = m[2]
    if (id === undefined) continue
    ;(m[1] === 'pod' ? pods : containers).add(id.replace(/\\(.)/g, (_s, c: string) => (c === 'n' ? '\n' : c)))
  }
  return { pods, containers }
}

/** Series of the per-cgroup families (what grows with the node). */
export function cgroupSeriesCount(text: string): number {
  let n = 0
  for (const line of text.split('\n')) if (line.startsWith('memlens_pod_') || line.startsWith('memlens_container_')) n++
  return n
}

/** Pods the agent has names for: its memlens_pod_info series with a non-empty pod label. */
export function namedPods(text: string): number {
  let n = 0
  for (const m of text.matchAll(/^memlens_pod_info\{[^}]*\bpod="([^"]*)"/gm)) if (m[1] !== '') n++
  return n
}
