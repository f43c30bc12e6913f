import type { ErrorReason } from './kernel/errors.js'

// The data model every stage agrees on: discovery yields CgroupRefs, reading yields
// MemoryReadings, the collector joins them into a Snapshot. Plain readonly objects.
// A value the kernel did not give us is `undefined` (null in JSON), never a fake 0.

export const CGROUP_VERSIONS = ['v1', 'v2'] as const
export type CgroupVersion = (typeof CGROUP_VERSIONS)[number]

export const SCOPES = ['kubernetes', 'all'] as const
export type Scope = (typeof SCOPES)[number]

export const QOS_CLASSES = ['guaranteed', 'burstable', 'besteffort'] as const
export type QosClass = (typeof QOS_CLASSES)[number]

export const RUNTIMES = ['containerd', 'cri-o', 'docker'] as const
export type Runtime = (typeof RUNTIMES)[number]

export type CgroupKind = 'pod' | 'container' | 'cgroup'

/** One cgroup to read, as discovery found it. */
export interface CgroupRef {
  /** Path relative to the memory hierarchy root, starting with '/'. The `id` label. */
  readonly id: string
  /** 'pod' and 'container' in kubernetes scope; 'cgroup' in all scope. */
  readonly kind: CgroupKind
  /** Pod UID with dashes (static pods keep their 32-hex form). */
  readonly podUid?: string
  /** Container ID as the runtime names it (64 hex), without any runtime prefix. */
  readonly containerId?: string
  readonly qos?: QosClass
  readonly runtime?: Runtime
}

export interface MemoryBytes {
  readonly usageBytes?: number
  readonly limitBytes?: number
  readonly workingSetBytes?: number
  readonly rssBytes?: number
  readonly cacheBytes?: number
  readonly activeFileBytes?: number
  readonly inactiveFileBytes?: number
  readonly dirtyBytes?: number
  readonly writebackBytes?: number
  readonly shmemBytes?: number
  readonly mappedFileBytes?: number
  readonly kernelBytes?: number
  readonly swapBytes?: number
  readonly peakBytes?: number
  readonly unreclaimableBytes?: number
}

export interface MemoryEvents {
  /** Times usage hit the limit: v1 memory.failcnt, v2 memory.events `max`. */
  readonly limitHits?: number
  /** v2 memory.events `high`; v1 has no such counter. */
  readonly high?: number
  /** v2 memory.events `oom`; v1 has no such counter. */
  readonly oom?: number
  /** v1 memory.oom_control `oom_kill` (4.13+), v2 memory.events `oom_kill`. */
  readonly oomKills?: number
}

export interface MemoryPressure {
  /** PSI `some` total: time at least one task waited on memory. */
  readonly waitingSeconds?: number
  /** PSI `full` total: time all non-idle tasks stalled on memory. */
  readonly stalledSeconds?: number
}

export interface MemoryReading {
  readonly memory: MemoryBytes
  readonly events: MemoryEvents
  readonly pressure: MemoryPressure
}

/** Names the Kubernetes API gives a cgroup; empty strings until known. */
export interface KubeNames {
  readonly namespace: string
  readonly pod: string
  readonly container: string
}

// What the Kubernetes side tells the rest of the agent. The cgroup side never imports the
// API client: it asks a MetadataSource, which is empty until the API has answered.
export interface PodMeta {
  readonly uid: string
  readonly namespace: string
  readonly name: string
  readonly node: string
  readonly qos?: QosClass
}

export interface ContainerMeta {
  readonly podUid: string
  readonly name: string
  readonly image: string
  /** resources.requests.memory from the pod spec, in bytes; absent when not set. */
  readonly requestBytes?: number
}

export interface MetadataSource {
  /** Names for a discovered cgroup; empty strings for what is not known (yet). */
  names(ref: CgroupRef): KubeNames
  pod(uid: string): PodMeta | undefined
  container(containerId: string): ContainerMeta | undefined
  /** Every pod of this node the API has told us about. */
  pods(): Iterable<PodMeta>
}

/** A MetadataSource that may hold resources (a watch) to release on stop. */
export interface MetadataService extends MetadataSource {
  stop?(): Promise<void>
  /** Tells the API about an explained kill (a Kubernetes Event on the pod); never blocks. */
  reportOom?(oom: OomRecord): void
}

export const NO_NAMES: KubeNames = Object.freeze({ namespace: '', pod: '', container: '' })

/** The source used without Kubernetes: every name stays empty. */
export const noMetadata: MetadataService = {
  names: () => NO_NAMES,
  pod: () => undefined,
  container: () => undefined,
  pods: () => [],
}

export interface CgroupSample {
  readonly ref: CgroupRef
  readonly reading: MemoryReading
  /** The cgroup's processes, where the process view read them. */
  readonly processes?: ProcessSummary
  /** OOM kills memlens explained for this container or pod (absent: none yet). */
  readonly oom?: { readonly kills: number; readonly lastCause: OomRecord['cause']; readonly lastAtMs: number }
}

export interface Snapshot {
  readonly cgroupVersion: CgroupVersion
  readonly scope: Scope
  /** Wall-clock time the collection finished, ms since the epoch. */
  readonly collectedAtMs: number
  readonly containers: readonly CgroupSample[]
  readonly pods: readonly CgroupSample[]
}

/** What one collection cycle did, for the agent's own metrics. */
export interface CycleStats {
  readonly durationSeconds: number
  readonly discovered: { readonly pod: number; readonly container: number; readonly cgroup: number }
  /** Failures by the reason label of memlens_collect_errors_total. */
  readonly errors: ReadonlyMap<ErrorReason, number>
}

export const MEMORY_FIELDS = [
  'usageBytes',
  'limitBytes',
  'workingSetBytes',
  'rssBytes',
  'cacheBytes',
  'activeFileBytes',
  'inactiveFileBytes',
  'dirtyBytes',
  'writebackBytes',
  'shmemBytes',
  'mappedFileBytes',
  'kernelBytes',
  'swapBytes',
  'peakBytes',
  'unreclaimableBytes',
] as const satisfies readonly (keyof MemoryBytes)[]

export const EVENT_FIELDS = ['limitHits', 'high', 'oom', 'oomKills'] as const satisfies readonly (keyof MemoryEvents)[]

export const PRESSURE_FIELDS = ['waitingSeconds', 'stalledSeconds'] as const satisfies readonly (keyof MemoryPressure)[]

/** Processes of a cgroup as /proc shows them: what `ps` inside the container adds up to. */
export interface ProcessSummary {
  readonly count: number
  /** Sum of VmRSS. */
  readonly rssBytes: number
  readonly rssAnonBytes: number
  readonly rssFileBytes: number
  readonly rssShmemBytes: number
  /** The largest by VmRSS, largest first (at most a few). Only comm: never command lines. */
  readonly largest: readonly { readonly pid: number; readonly comm: string; readonly rssBytes: number }[]
}

/** One explained OOM kill, as /api/v1/ooms, the log line and the Kubernetes Event carry it. */
export interface OomRecord {
  /** When memlens saw the kill counter move (ms since the epoch). */
  readonly atMs: number
  /** The killed container's cgroup (relative to the hierarchy root); the pod's for a pod-level kill. */
  readonly id: string
  readonly podUid?: string
  readonly containerId?: string
  readonly namespace: string
  readonly pod: string
  readonly container: string
  readonly cause: 'dirty_page_cache' | 'page_cache' | 'anon' | 'shmem' | 'kernel' | 'unknown'
  readonly scope: 'container' | 'pod' | 'node'
  /** Kills counted by this record (a crash loop between two polls counts more than one). */
  readonly kills: number
  readonly message: string
  readonly evidence: readonly string[]
  readonly advice: readonly string[]
  readonly numbers: Readonly<Record<string, unknown>>
  /** True when the kernel's own report (/dev/kmsg) supplied the numbers at the kill. */
  readonly fromKernelReport: boolean
}
