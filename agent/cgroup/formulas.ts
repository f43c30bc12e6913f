// The derived numbers of docs/metrics.md, pure: the working set as kubelet computes it and
// the estimate of what the kernel cannot reclaim right now.

/** Working set exactly as cAdvisor's setMemoryStats: usage − inactive_file, floored at 0. */
export function workingSet(usage: number | undefined, inactiveFile: number | undefined): number | undefined {
  if (usage === undefined) return undefined
  if (inactiveFile === undefined) return usage
  return usage < inactiveFile ? 0 : usage - inactiveFile
}

/** The sum, or undefined as soon as one term is absent: a partial sum would be a fake number. */
export function sumDefined(...values: (number | undefined)[]): number | undefined {
  let sum = 0
  for (const v of values) {
    if (v === undefined) return undefined
    sum += v
  }
  return sum
}

export function capAt(value: number | undefined, cap: number | undefined): number | undefined {
  if (value === undefined || cap === undefined) return value
  return Math.min(value, cap)
}
