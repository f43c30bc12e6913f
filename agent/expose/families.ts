// How each per-cgroup family of metric-names.ts gets its value from a reading. Each family
// exists twice, as memlens_container_* and memlens_pod_*.
import type { MemoryReading } from '../model.js'
import { CGROUP_METRICS, type CgroupMetric, type CgroupMetricSuffix } from './metric-names.js'

export interface CgroupFamily extends CgroupMetric {
  readonly value: (r: MemoryReading) => number | undefined
}

const VALUES: Readonly<Record<CgroupMetricSuffix, CgroupFamily['value']>> = {
  memory_usage_bytes: (r) => r.memory.usageBytes,
  memory_limit_bytes: (r) => r.memory.limitBytes,
  memory_working_set_bytes: (r) => r.memory.workingSetBytes,
  memory_rss_bytes: (r) => r.memory.rssBytes,
  memory_cache_bytes: (r) => r.memory.cacheBytes,
  memory_active_file_bytes: (r) => r.memory.activeFileBytes,
  memory_inactive_file_bytes: (r) => r.memory.inactiveFileBytes,
  memory_dirty_bytes: (r) => r.memory.dirtyBytes,
  memory_writeback_bytes: (r) => r.memory.writebackBytes,
  memory_shmem_bytes: (r) => r.memory.shmemBytes,
  memory_mapped_file_bytes: (r) => r.memory.mappedFileBytes,
  memory_kernel_bytes: (r) => r.memory.kernelBytes,
  memory_swap_bytes: (r) => r.memory.swapBytes,
  memory_peak_bytes: (r) => r.memory.peakBytes,
  memory_unreclaimable_bytes: (r) => r.memory.unreclaimableBytes,
  memory_limit_hits_total: (r) => r.events.limitHits,
  memory_high_events_total: (r) => r.events.high,
  memory_oom_events_total: (r) => r.events.oom,
  memory_oom_kills_total: (r) => r.events.oomKills,
  pressure_memory_waiting_seconds_total: (r) => r.pressure.waitingSeconds,
  pressure_memory_stalled_seconds_total: (r) => r.pressure.stalledSeconds,
}

export const CGROUP_FAMILIES: readonly CgroupFamily[] = CGROUP_METRICS.map((m) => ({ ...m, value: VALUES[m.suffix] }))
