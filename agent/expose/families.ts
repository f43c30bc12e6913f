// How each per-cgroup family of metric-names.ts gets its value from a reading. Each family
// exists twice, as memlens_container_* and memlens_pod_*.
import type { CgroupSample } from '../model.js'
import { CGROUP_METRICS, type CgroupMetric, type CgroupMetricSuffix } from './metric-names.js'

export interface CgroupFamily extends CgroupMetric {
  readonly value: (s: CgroupSample) => number | undefined
}

const VALUES: Readonly<Record<CgroupMetricSuffix, CgroupFamily['value']>> = {
  memory_usage_bytes: (s) => s.reading.memory.usageBytes,
  memory_limit_bytes: (s) => s.reading.memory.limitBytes,
  memory_working_set_bytes: (s) => s.reading.memory.workingSetBytes,
  memory_rss_bytes: (s) => s.reading.memory.rssBytes,
  memory_cache_bytes: (s) => s.reading.memory.cacheBytes,
  memory_active_file_bytes: (s) => s.reading.memory.activeFileBytes,
  memory_inactive_file_bytes: (s) => s.reading.memory.inactiveFileBytes,
  memory_dirty_bytes: (s) => s.reading.memory.dirtyBytes,
  memory_writeback_bytes: (s) => s.reading.memory.writebackBytes,
  memory_shmem_bytes: (s) => s.reading.memory.shmemBytes,
  memory_mapped_file_bytes: (s) => s.reading.memory.mappedFileBytes,
  memory_kernel_bytes: (s) => s.reading.memory.kernelBytes,
  memory_swap_bytes: (s) => s.reading.memory.swapBytes,
  memory_peak_bytes: (s) => s.reading.memory.peakBytes,
  memory_unreclaimable_bytes: (s) => s.reading.memory.unreclaimableBytes,
  memory_limit_hits_total: (s) => s.reading.events.limitHits,
  memory_high_events_total: (s) => s.reading.events.high,
  memory_oom_events_total: (s) => s.reading.events.oom,
  memory_oom_kills_total: (s) => s.reading.events.oomKills,
  pressure_memory_waiting_seconds_total: (s) => s.reading.pressure.waitingSeconds,
  pressure_memory_stalled_seconds_total: (s) => s.reading.pressure.stalledSeconds,
  memory_usage_window_max_bytes: (s) => s.peaks?.usageBytes,
  memory_working_set_window_max_bytes: (s) => s.peaks?.workingSetBytes,
  memory_dirty_writeback_window_max_bytes: (s) => s.peaks?.dirtyWritebackBytes,
  memory_unreclaimable_window_max_bytes: (s) => s.peaks?.unreclaimableBytes,
  processes: (s) => s.processes?.count,
  processes_rss_bytes: (s) => s.processes?.rssBytes,
}

export const CGROUP_FAMILIES: readonly CgroupFamily[] = CGROUP_METRICS.map((m) => ({ ...m, value: VALUES[m.suffix] }))
