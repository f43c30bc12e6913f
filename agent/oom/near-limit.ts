// When to sample a cgroup fast (docs/oom.md "Fast sampling"). A writer can fill a 256 MiB
// cgroup and be killed a second after it starts, so the window before a kill only exists if
// sampling speeds up as a cgroup nears its limit. Two thresholds make a hysteresis: fast from
// ENTER, back to normal once below LEAVE with the counters still, so a cgroup sitting at 75%
// does not flap between the two.
import type { OomEvents, OomMemory } from './window.js'

export const FAST_SAMPLING = {
  /** Usage at or above this share of the limit: sample fast. */
  enterUsageShare: 0.8,
  /** Back to the normal interval only below this share, with no limit hit or kill since. */
  leaveUsageShare: 0.7,
} as const

export interface LimitReading {
  readonly memory: Pick<OomMemory, 'usageBytes' | 'limitBytes'>
  readonly events: OomEvents
}

function moved(now: number | undefined, before: number | undefined): boolean {
  return now !== undefined && before !== undefined && now !== before
}

function usageShare(r: LimitReading): number | undefined {
  const { usageBytes, limitBytes } = r.memory
  return usageBytes !== undefined && limitBytes !== undefined && limitBytes > 0 ? usageBytes / limitBytes : undefined
}

/** True when this cgroup should be sampled fast: near its limit, or hitting it, or just killed. */
export function isNearLimit(current: LimitReading, previous?: LimitReading): boolean {
  const share = usageShare(current)
  if (share !== undefined && share >= FAST_SAMPLING.enterUsageShare) return true
  if (previous === undefined) return false
  // A counter that changed either way counts: a reset means a new cgroup, worth a close look.
  return moved(current.events.limitHits, previous.events.limitHits) || moved(current.events.oomKills, previous.events.oomKills)
}

/** True when a fast-sampled cgroup may go back to the normal interval. */
export function isCalm(current: LimitReading, previous: LimitReading): boolean {
  const share = usageShare(current)
  if (share !== undefined && share >= FAST_SAMPLING.leaveUsageShare) return false
  return !moved(current.events.limitHits, previous.events.limitHits) && !moved(current.events.oomKills, previous.events.oomKills)
}
