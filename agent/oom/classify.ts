// Why was it OOM-killed? A pure function of the samples before the kill, the processes, and
// the kernel's own report when there is one. The rules and their thresholds are documented
// in docs/oom.md ("Causes", "Scope"); change them there too.
import { explain, mib } from './explain.js'
import type { KernelOomReport } from './oom-report.js'
import { reportMemory } from './report-memory.js'
import { maxOf, sumOf, windowStats, type OomMemory, type OomSample, type WindowStats } from './window.js'

export const OOM_CAUSES = ['dirty_page_cache', 'page_cache', 'anon', 'shmem', 'kernel', 'unknown'] as const
export type OomCause = (typeof OOM_CAUSES)[number]

export const OOM_SCOPES = ['container', 'pod', 'node'] as const
export type OomScope = (typeof OOM_SCOPES)[number]

export const THRESHOLDS = {
  /** The largest kind of memory is the cause if it holds at least this share of usage. */
  dominantShare: 0.4,
  /** File-dominated and dirty + writeback peaked at this share of the limit: writes outran the disk. */
  dirtyPeakShare: 0.1,
  /** File-dominated, tiny anon and the limit hit this often a second: a writer the disk cannot follow. */
  limitHitsPerSecond: 100,
  /** "Tiny" anon for the rule above. */
  tinyAnonShare: 0.1,
  /** A cgroup whose usage peaked at this share of its limit was at its limit. */
  atLimitShare: 0.9,
} as const

export interface ProcessInfo {
  readonly pid: number
  readonly comm: string
  readonly rssBytes: number
}

export interface ProcessSummary {
  readonly count: number
  /** Sum of VmRSS: what `ps` adds up to. */
  readonly rssBytes: number
  /** Largest first. */
  readonly largest: readonly ProcessInfo[]
}

export interface ClassifyInput {
  /** The container's samples before the kill (any order); may include the one showing it. */
  readonly container: readonly OomSample[]
  /** The pod cgroup's samples over the same time. */
  readonly pod?: readonly OomSample[]
  readonly processes?: ProcessSummary
  /** The kernel's report of this kill, when /dev/kmsg could be read. */
  readonly kernel?: KernelOomReport
  /** Cgroup ids (paths from the hierarchy root), to place the kernel's oom_memcg. */
  readonly containerCgroup?: string
  readonly podCgroup?: string
}

export interface OomNumbers {
  /** Where the figures at the kill come from. */
  readonly source: 'kernel' | 'samples' | 'none'
  readonly limitBytes?: number
  readonly usageBytes?: number
  readonly anonBytes?: number
  /** Page cache that is neither dirty, under writeback nor shmem. */
  readonly cleanCacheBytes?: number
  readonly dirtyBytes?: number
  readonly writebackBytes?: number
  readonly shmemBytes?: number
  readonly kernelBytes?: number
  /** True when kernelBytes is usage − anon − cache (v1 prints no kernel figure). */
  readonly kernelEstimated?: boolean
  readonly unreclaimableBytes?: number
  readonly peakUsageBytes?: number
  readonly peakAnonBytes?: number
  readonly peakDirtyWritebackBytes?: number
  readonly peakShmemBytes?: number
  readonly peakKernelBytes?: number
  readonly limitHits?: number
  readonly peakLimitHitsPerSecond?: number
  readonly samples: number
  readonly windowSeconds?: number
  readonly podLimitBytes?: number
  readonly podPeakUsageBytes?: number
  readonly processCount?: number
  readonly processesRssBytes?: number
  readonly largestProcesses?: readonly ProcessInfo[]
  /** The process the kernel killed, from its report; rssBytes = anon + file + shmem RSS. */
  readonly victim?: { readonly pid: number; readonly comm: string; readonly rssBytes?: number }
}

export interface OomExplanation {
  readonly cause: OomCause
  readonly scope: OomScope
  readonly numbers: OomNumbers
  /** Why: one line per rule that decided, with its figures. */
  readonly evidence: readonly string[]
  readonly advice: readonly string[]
  /** One message a person can act on, at most MESSAGE_MAX_BYTES of UTF-8. */
  readonly message: string
}

const pct = (share: number): string => `${Math.round(share * 100)}%`

function isUnder(path: string, ancestor: string): boolean {
  return path === ancestor || path.startsWith(ancestor.endsWith('/') ? ancestor : `${ancestor}/`)
}

function nearLimit(stats: WindowStats): boolean {
  return (
    stats.limitBytes !== undefined &&
    stats.peakUsageBytes !== undefined &&
    stats.peakUsageBytes >= THRESHOLDS.atLimitShare * stats.limitBytes
  )
}

/** Where the kill came from; pushes its reasons to evidence. */
function findScope(input: ClassifyInput, container: WindowStats, pod: WindowStats, evidence: string[]): OomScope {
  const k = input.kernel
  if (k?.kind === 'global') {
    evidence.push(`the kernel reported a node-wide OOM (${k.constraint ?? 'no memory cgroup'})`)
    return 'node'
  }
  if (k?.kind === 'memcg' && k.oomMemcg !== undefined && input.containerCgroup !== undefined) {
    if (isUnder(k.oomMemcg, input.containerCgroup)) {
      evidence.push(`the kernel's OOM cgroup is the container's (${k.oomMemcg})`)
      return 'container'
    }
    if (isUnder(input.containerCgroup, k.oomMemcg)) {
      const above = input.podCgroup !== undefined && !isUnder(k.oomMemcg, input.podCgroup)
      evidence.push(`the kernel's OOM cgroup ${k.oomMemcg} is ${above ? 'above the pod' : "the pod's"}`)
      return above ? 'node' : 'pod'
    }
  }
  if (k?.kind === 'memcg' && k.limitBytes !== undefined) {
    if (k.limitBytes === container.limitBytes) {
      evidence.push(`the kernel's OOM cgroup had the container's limit (${mib(k.limitBytes)} MiB)`)
      return 'container'
    }
    if (k.limitBytes === pod.limitBytes) {
      evidence.push(`the kernel's OOM cgroup had the pod's limit (${mib(k.limitBytes)} MiB)`)
      return 'pod'
    }
  }
  const fromSamples = samplesScope(container, pod, evidence)
  if (k?.kind !== 'memcg' || fromSamples !== 'node') return fromSamples
  // The kernel says a memory cgroup's limit, so not the node's: the nearest limited one.
  const owner = container.limitBytes !== undefined ? 'container' : pod.limitBytes !== undefined ? 'pod' : 'node'
  evidence.push(
    `the kernel reported a memory cgroup OOM: taken to be at the ${owner === 'node' ? 'limit above the pod' : `${owner}'s limit`}`,
  )
  return owner
}

function samplesScope(container: WindowStats, pod: WindowStats, evidence: string[]): OomScope {
  if (nearLimit(container) && container.limitBytes !== undefined && container.peakUsageBytes !== undefined) {
    evidence.push(`container usage peaked at ${mib(container.peakUsageBytes)} MiB of its ${mib(container.limitBytes)} MiB limit`)
    return 'container'
  }
  if (nearLimit(pod) && pod.limitBytes !== undefined && pod.peakUsageBytes !== undefined) {
    evidence.push(
      `pod usage peaked at ${mib(pod.peakUsageBytes)} MiB of its ${mib(pod.limitBytes)} MiB limit while the container was below its own`,
    )
    return 'pod'
  }
  if (container.limitBytes !== undefined && (container.limitHits ?? 0) > 0) {
    evidence.push(`the container hit its limit ${container.limitHits ?? 0} times in the window`)
    return 'container'
  }
  if (pod.limitBytes !== undefined && (pod.limitHits ?? 0) > 0) {
    evidence.push(`the pod hit its limit ${pod.limitHits ?? 0} times in the window`)
    return 'pod'
  }
  if (container.samples === 0 && pod.samples === 0) {
    evidence.push('no samples: scope assumed to be the container')
    return 'container'
  }
  evidence.push(
    container.limitBytes === undefined && pod.limitBytes === undefined
      ? 'neither the container nor the pod has a memory limit: only the node can run out'
      : `neither the container nor the pod came within ${pct(THRESHOLDS.atLimitShare)} of its limit or hit it`,
  )
  return 'node'
}

/** The kinds of memory usage splits into; file is page cache without shmem. */
type Part = 'shmem' | 'anon' | 'kernel' | 'file'

interface Composition {
  readonly usage?: number
  readonly anon?: number
  readonly file?: number
  readonly shmem?: number
  readonly kernel?: number
  readonly kernelEstimated: boolean
  readonly base?: number
}

function composition(m: OomMemory): Composition {
  const fileTotal = m.cacheBytes
  const file = fileTotal === undefined ? undefined : Math.max(0, fileTotal - (m.shmemBytes ?? 0))
  const estimate =
    m.kernelBytes === undefined && m.usageBytes !== undefined && m.rssBytes !== undefined && fileTotal !== undefined
      ? Math.max(0, m.usageBytes - m.rssBytes - fileTotal)
      : undefined
  const kernel = m.kernelBytes ?? estimate
  const parts = sumOf(m.rssBytes, fileTotal, kernel)
  const base = m.usageBytes !== undefined && m.usageBytes > 0 ? m.usageBytes : parts !== undefined && parts > 0 ? parts : undefined
  return { usage: m.usageBytes, anon: m.rssBytes, file, shmem: m.shmemBytes, kernel, kernelEstimated: estimate !== undefined, base }
}

function findCause(c: Composition, at: OomMemory, stats: WindowStats, kernelDirty: number | undefined, evidence: string[]): OomCause {
  const base = c.base
  if (base === undefined) {
    evidence.push('no breakdown of memory usage before the kill')
    return 'unknown'
  }
  // Ties go to the first: shmem and anon are never reclaimable, file may be.
  const candidates: readonly [Part, number | undefined][] = [
    ['shmem', c.shmem],
    ['anon', c.anon],
    ['kernel', c.kernel],
    ['file', c.file],
  ]
  let top: [Part, number] | undefined
  for (const [name, bytes] of candidates) if (bytes !== undefined && (top === undefined || bytes > top[1])) top = [name, bytes]
  if (top === undefined) {
    evidence.push('no breakdown of memory usage before the kill')
    return 'unknown'
  }
  const share = top[1] / base
  const shares = candidates.flatMap(([n, b]) => (b === undefined ? [] : [`${n} ${pct(b / base)}`])).join(', ')
  if (share < THRESHOLDS.dominantShare) {
    evidence.push(`no kind of memory held ${pct(THRESHOLDS.dominantShare)} of usage (${shares})`)
    return 'unknown'
  }
  evidence.push(
    `${top[0]} held ${pct(share)} of usage at the kill (${shares})${c.kernelEstimated && top[0] === 'kernel' ? '; kernel estimated as usage − anon − cache' : ''}`,
  )
  if (top[0] !== 'file') return top[0]

  const dirtyPeak = maxOf(stats.peakDirtyWritebackBytes, kernelDirty, sumOf(at.dirtyBytes, at.writebackBytes))
  const limit = at.limitBytes ?? stats.limitBytes
  const dirtyBase = limit ?? base
  if (dirtyPeak !== undefined && dirtyPeak >= THRESHOLDS.dirtyPeakShare * dirtyBase) {
    evidence.push(
      `dirty + writeback peaked at ${mib(dirtyPeak)} MiB, ${pct(dirtyPeak / dirtyBase)} of ${limit === undefined ? 'usage' : 'the limit'}`,
    )
    return 'dirty_page_cache'
  }
  const rate = stats.peakLimitHitsPerSecond
  const anonShare = c.anon === undefined ? undefined : c.anon / base
  if (rate !== undefined && rate >= THRESHOLDS.limitHitsPerSecond && anonShare !== undefined && anonShare < THRESHOLDS.tinyAnonShare) {
    evidence.push(
      `the limit was hit ${Math.round(rate)} times a second with anon at ${pct(anonShare)}: a writer the disk could not keep up with`,
    )
    return 'dirty_page_cache'
  }
  evidence.push(
    dirtyPeak === undefined
      ? 'dirty and writeback were not measured; the cache is taken as clean'
      : `the cache was clean: dirty + writeback peaked at ${mib(dirtyPeak)} MiB`,
  )
  return 'page_cache'
}

export function classifyOom(input: ClassifyInput): OomExplanation {
  const evidence: string[] = []
  const containerStats = windowStats(input.container)
  const podStats = windowStats(input.pod ?? [])
  const scope = findScope(input, containerStats, podStats, evidence)
  const stats = scope === 'pod' && podStats.samples > 0 ? podStats : containerStats
  const k = input.kernel
  const fromKernel = k !== undefined && Object.keys(k.stat).length > 0 && k.kind !== 'global'
  const at: OomMemory | undefined = fromKernel ? reportMemory(k) : stats.atKill?.memory
  if (fromKernel) evidence.push(`figures at the kill from the kernel's report (memory.stat of ${k.statPath ?? 'the OOM cgroup'})`)
  const c = composition(at ?? {})
  const kernelDirty = fromKernel ? sumOf(at?.dirtyBytes, at?.writebackBytes) : undefined
  const cause = findCause(c, at ?? {}, stats, kernelDirty, evidence)

  const cleanCache = c.file === undefined ? undefined : Math.max(0, c.file - (at?.dirtyBytes ?? 0) - (at?.writebackBytes ?? 0))
  const v = k?.victim
  const numbers: OomNumbers = {
    source: fromKernel ? 'kernel' : at === undefined ? 'none' : 'samples',
    limitBytes: at?.limitBytes ?? stats.limitBytes,
    usageBytes: c.usage,
    anonBytes: c.anon,
    cleanCacheBytes: cleanCache,
    dirtyBytes: at?.dirtyBytes,
    writebackBytes: at?.writebackBytes,
    shmemBytes: c.shmem,
    kernelBytes: c.kernel,
    kernelEstimated: c.kernel === undefined ? undefined : c.kernelEstimated,
    unreclaimableBytes: at?.unreclaimableBytes,
    peakUsageBytes: maxOf(stats.peakUsageBytes, fromKernel ? c.usage : undefined),
    peakAnonBytes: maxOf(stats.peakAnonBytes, fromKernel ? c.anon : undefined),
    peakDirtyWritebackBytes: maxOf(stats.peakDirtyWritebackBytes, kernelDirty),
    peakShmemBytes: maxOf(stats.peakShmemBytes, fromKernel ? c.shmem : undefined),
    peakKernelBytes: maxOf(stats.peakKernelBytes, fromKernel ? c.kernel : undefined),
    limitHits: stats.limitHits,
    peakLimitHitsPerSecond: stats.peakLimitHitsPerSecond,
    samples: stats.samples,
    windowSeconds: stats.spanSeconds,
    podLimitBytes: podStats.limitBytes,
    podPeakUsageBytes: podStats.peakUsageBytes,
    processCount: input.processes?.count,
    processesRssBytes: input.processes?.rssBytes,
    largestProcesses: input.processes?.largest,
    victim: v === undefined ? undefined : { pid: v.pid, comm: v.comm, rssBytes: sumOf(v.anonRssBytes, v.fileRssBytes, v.shmemRssBytes) },
  }
  const { advice, message } = explain(cause, scope, numbers)
  return { cause, scope, numbers, evidence, advice, message }
}
