// The metrics contract dashboards and alerts build on: one table, names and help in one
// place. Each cgroup family exists twice, as memlens_container_* and memlens_pod_*.
// docs/metrics.md documents every row (a test fails when one is missing).
import type { MemoryReading } from '../model.js'

export const METRIC_GROUPS = ['memory', 'events', 'pressure', 'pod', 'container', 'kubernetes', 'runtime'] as const
export type MetricGroup = (typeof METRIC_GROUPS)[number]

export interface CgroupFamily {
  /** Name after the memlens_container_ / memlens_pod_ prefix. */
  readonly suffix: string
  readonly type: 'gauge' | 'counter'
  readonly group: 'memory' | 'events' | 'pressure'
  readonly help: string
  readonly value: (r: MemoryReading) => number | undefined
}

const memory = (suffix: string, help: string, value: CgroupFamily['value']): CgroupFamily => ({
  suffix: `memory_${suffix}_bytes`,
  type: 'gauge',
  group: 'memory',
  help,
  value,
})

const counter = (group: 'events' | 'pressure', suffix: string, help: string, value: CgroupFamily['value']): CgroupFamily => ({
  suffix,
  type: 'counter',
  group,
  help,
  value,
})

export const CGROUP_FAMILIES: readonly CgroupFamily[] = [
  memory('usage', 'Memory charged to the cgroup (v1 memory.usage_in_bytes, v2 memory.current).', (r) => r.memory.usageBytes),
  memory('limit', 'Memory limit (v1 memory.limit_in_bytes, v2 memory.max); no series when unlimited.', (r) => r.memory.limitBytes),
  memory(
    'working_set',
    'Working set as kubelet, cAdvisor and kubectl top compute it: usage minus inactive file cache, floored at 0.',
    (r) => r.memory.workingSetBytes,
  ),
  memory('rss', 'Anonymous memory as cAdvisor reports RSS (v1 total_rss, v2 anon).', (r) => r.memory.rssBytes),
  memory('cache', 'Page cache charged to the cgroup, shmem included (v1 total_cache, v2 file).', (r) => r.memory.cacheBytes),
  memory('active_file', 'File cache on the active LRU list (v1 total_active_file, v2 active_file).', (r) => r.memory.activeFileBytes),
  memory(
    'inactive_file',
    'File cache on the inactive LRU list, the part kubelet treats as reclaimable (v1 total_inactive_file, v2 inactive_file).',
    (r) => r.memory.inactiveFileBytes,
  ),
  memory('dirty', 'Page cache written but not yet sent to disk; not reclaimable until written (v1 total_dirty, v2 file_dirty).', (r) => r.memory.dirtyBytes),
  memory(
    'writeback',
    'Page cache being written to disk right now; not reclaimable until done (v1 total_writeback, v2 file_writeback).',
    (r) => r.memory.writebackBytes,
  ),
  memory('shmem', 'Shared memory and tmpfs pages (v1 total_shmem, v2 shmem).', (r) => r.memory.shmemBytes),
  memory('mapped_file', 'File pages mapped into processes (v1 total_mapped_file, v2 file_mapped).', (r) => r.memory.mappedFileBytes),
  memory('kernel', 'Kernel memory charged to the cgroup (v1 memory.kmem.usage_in_bytes, v2 kernel).', (r) => r.memory.kernelBytes),
  memory('swap', 'Swap used by the cgroup (v1 total_swap, v2 memory.swap.current).', (r) => r.memory.swapBytes),
  memory('peak', 'Highest usage recorded (v1 memory.max_usage_in_bytes, v2 memory.peak, 5.19+).', (r) => r.memory.peakBytes),
  memory(
    'unreclaimable',
    'Estimate of memory the kernel cannot reclaim right now: anon + shmem + dirty + writeback + unevictable + unreclaimable kernel, at most usage.',
    (r) => r.memory.unreclaimableBytes,
  ),
  counter('events', 'memory_limit_hits_total', 'Times usage hit the limit (v1 memory.failcnt, v2 memory.events max).', (r) => r.events.limitHits),
  counter('events', 'memory_high_events_total', 'Times usage went over memory.high and was throttled (v2 memory.events high).', (r) => r.events.high),
  counter('events', 'memory_oom_events_total', 'Times the cgroup ran out of memory at its limit (v2 memory.events oom).', (r) => r.events.oom),
  counter(
    'events',
    'memory_oom_kills_total',
    'Processes killed by the OOM killer in this cgroup (v1 memory.oom_control oom_kill, v2 memory.events oom_kill).',
    (r) => r.events.oomKills,
  ),
  counter(
    'pressure',
    'pressure_memory_waiting_seconds_total',
    'Time at least one task waited on memory (v2 memory.pressure some total).',
    (r) => r.pressure.waitingSeconds,
  ),
  counter(
    'pressure',
    'pressure_memory_stalled_seconds_total',
    'Time all non-idle tasks stalled on memory at once (v2 memory.pressure full total).',
    (r) => r.pressure.stalledSeconds,
  ),
]

export const CONTAINER_PREFIX = 'memlens_container_'
export const POD_PREFIX = 'memlens_pod_'

export const INFO_FAMILIES = {
  podInfo: {
    name: 'memlens_pod_info',
    help: 'Pods of this node as the API server describes them; always 1.',
    labels: ['namespace', 'pod', 'pod_uid', 'node', 'qos'],
  },
  containerInfo: {
    name: 'memlens_container_info',
    help: 'Container cgroups joined with their names and images; always 1.',
    labels: ['namespace', 'pod', 'container', 'container_id', 'image', 'id'],
  },
  request: {
    name: 'memlens_container_memory_request_bytes',
    help: 'Memory request of the container from the pod spec (resources.requests.memory).',
    labels: ['id', 'namespace', 'pod', 'container'],
  },
} as const
