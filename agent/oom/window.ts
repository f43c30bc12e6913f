// The samples of a cgroup before a kill, and what the classifier reads from them: the
// composition just before the kill, the peaks, and how fast the limit was being hit.
// Peaks matter because dirty and writeback swing between zero and half the limit from one
// second to the next and can read zero at the kill itself (docs/oom.md "Why a window").
import type { MemoryBytes, MemoryEvents } from '../model.js'

/** The MemoryBytes fields the classifier uses (and the history keeps, collect/history.ts). */
export const OOM_MEMORY_FIELDS = [
  'usageBytes',
  'limitBytes',
  'rssBytes',
  'cacheBytes',
  'activeFileBytes',
  'inactiveFileBytes',
  'dirtyBytes',
  'writebackBytes',
  'shmemBytes',
  'kernelBytes',
  'unreclaimableBytes',
] as const satisfies readonly (keyof MemoryBytes)[]

/** The MemoryEvents counters the classifier uses. */
export const OOM_EVENT_FIELDS = ['limitHits', 'oomKills'] as const satisfies readonly (keyof MemoryEvents)[]

/** What the classifier reads of a reading; any MemoryBytes fits. */
export type OomMemory = Pick<MemoryBytes, (typeof OOM_MEMORY_FIELDS)[number]>

export type OomEvents = Pick<MemoryEvents, (typeof OOM_EVENT_FIELDS)[number]>

export interface OomSample {
  /** When it was read, ms (any clock, as long as the window uses one). */
  readonly atMs: number
  readonly memory: OomMemory
  readonly events: OomEvents
}

export interface WindowStats {
  readonly samples: number
  readonly spanSeconds?: number
  /** The last sample before the kill (before oom_kill moved), else the last sample. */
  readonly atKill?: OomSample
  /** The most recent limit the window knew. */
  readonly limitBytes?: number
  readonly peakUsageBytes?: number
  readonly peakAnonBytes?: number
  readonly peakShmemBytes?: number
  readonly peakKernelBytes?: number
  readonly peakDirtyWritebackBytes?: number
  readonly peakUnreclaimableBytes?: number
  /** Limit hits counted in the window (counter resets skipped). */
  readonly limitHits?: number
  /** The highest rate over spans of at least RATE_SPAN_MS (or the whole window if shorter). */
  readonly peakLimitHitsPerSecond?: number
}

/** Rates are taken over at least this long, so two hits 10 ms apart are not "200 a second". */
export const RATE_SPAN_MS = 1000

export function maxOf(...values: readonly (number | undefined)[]): number | undefined {
  let max: number | undefined
  for (const v of values) if (v !== undefined && (max === undefined || v > max)) max = v
  return max
}

/** a + b where either is known; undefined only when both are. */
export function sumOf(...values: readonly (number | undefined)[]): number | undefined {
  let sum: number | undefined
  for (const v of values) if (v !== undefined) sum = (sum ?? 0) + v
  return sum
}

function peak(samples: readonly OomSample[], pick: (m: OomMemory) => number | undefined): number | undefined {
  return maxOf(...samples.map((s) => pick(s.memory)))
}

/** Index of the sample where the last kill shows (oom_kill moved), or -1. */
function killIndex(samples: readonly OomSample[]): number {
  for (let i = samples.length - 1; i > 0; i--) {
    const now = samples[i]?.events.oomKills
    const before = samples[i - 1]?.events.oomKills
    if (now !== undefined && before !== undefined && now > before) return i
  }
  return -1
}

function limitHitRates(all: readonly OomSample[]): { hits?: number; peakPerSecond?: number } {
  // A sample without the counter (a failed read) is skipped, not a break in the window.
  const samples = all.filter((s) => s.events.limitHits !== undefined)
  let hits: number | undefined
  let peakPerSecond: number | undefined
  let from = 0
  let j = 0
  const hitsAt = (k: number): number | undefined => samples[k]?.events.limitHits
  const msAt = (k: number): number => samples[k]?.atMs ?? 0
  const rate = (a: number, b: number): number | undefined => {
    const ha = hitsAt(a)
    const hb = hitsAt(b)
    return ha !== undefined && hb !== undefined && msAt(b) > msAt(a) ? (hb - ha) / ((msAt(b) - msAt(a)) / 1000) : undefined
  }
  for (let i = 1; i < samples.length; i++) {
    const h = hitsAt(i)
    const hb = hitsAt(i - 1)
    if (h === undefined || hb === undefined) continue
    // A counter that went back is a new cgroup (the container restarted): start over.
    if (h < hb) {
      from = j = i
      continue
    }
    hits = (hits ?? 0) + (h - hb)
    while (j + 1 < i && msAt(i) - msAt(j + 1) >= RATE_SPAN_MS) j++
    if (msAt(i) - msAt(j) >= RATE_SPAN_MS) peakPerSecond = maxOf(peakPerSecond, rate(j, i))
  }
  // A window shorter than the span: its one rate, first to last.
  if (peakPerSecond === undefined && samples.length - from >= 2) peakPerSecond = rate(from, samples.length - 1)
  return { hits, peakPerSecond }
}

function lastLimit(samples: readonly OomSample[]): number | undefined {
  for (let i = samples.length - 1; i >= 0; i--) {
    const limit = samples[i]?.memory.limitBytes
    if (limit !== undefined) return limit
  }
  return undefined
}

export function windowStats(unsorted: readonly OomSample[]): WindowStats {
  const samples = [...unsorted].sort((a, b) => a.atMs - b.atMs)
  const first = samples[0]
  const last = samples.at(-1)
  if (first === undefined || last === undefined) return { samples: 0 }
  const kill = killIndex(samples)
  const { hits, peakPerSecond } = limitHitRates(samples)
  return {
    samples: samples.length,
    spanSeconds: (last.atMs - first.atMs) / 1000,
    atKill: kill > 0 ? samples[kill - 1] : last,
    limitBytes: lastLimit(samples),
    peakUsageBytes: peak(samples, (m) => m.usageBytes),
    peakAnonBytes: peak(samples, (m) => m.rssBytes),
    peakShmemBytes: peak(samples, (m) => m.shmemBytes),
    peakKernelBytes: peak(samples, (m) => m.kernelBytes),
    peakDirtyWritebackBytes: peak(samples, (m) => sumOf(m.dirtyBytes, m.writebackBytes)),
    peakUnreclaimableBytes: peak(samples, (m) => m.unreclaimableBytes),
    limitHits: hits,
    peakLimitHitsPerSecond: peakPerSecond,
  }
}
