// Every metric memlens serves: name, type, labels, group and help, in one table. The
// exposition, the agent's own prom-client metrics, the Kubernetes watch's metrics and the
// tests of docs/metrics.md, the dashboards and the rules all read their names from here.
import type { MetricGroup } from '../config.js'

export type MetricType = 'gauge' | 'counter' | 'histogram'

export interface MetricName {
  readonly name: string
  readonly type: MetricType
  readonly help: string
  readonly labels: readonly string[]
  /** The --disable-metrics group that switches it off; none for the agent's own metrics. */
  readonly group?: MetricGroup
}

export const CONTAINER_PREFIX = 'memlens_container_'
export const POD_PREFIX = 'memlens_pod_'
export const CONTAINER_LABELS = ['id', 'namespace', 'pod', 'container'] as const
export const POD_LABELS = ['id', 'namespace', 'pod'] as const

/** A per-cgroup family: served as memlens_container_<suffix> and memlens_pod_<suffix>. */
export interface CgroupMetric {
  readonly suffix: string
  readonly type: 'gauge' | 'counter'
  readonly group: 'memory' | 'events' | 'pressure' | 'peaks' | 'processes'
  readonly help: string
}

const memory = <W extends string>(what: W, help: string) =>
  ({ suffix: `memory_${what}_bytes`, type: 'gauge', group: 'memory', help }) as const satisfies CgroupMetric
const peak = <W extends string>(what: W, help: string) =>
  ({ suffix: `memory_${what}_window_max_bytes`, type: 'gauge', group: 'peaks', help }) as const satisfies CgroupMetric
const counter = <S extends string>(group: 'events' | 'pressure', suffix: S, help: string) =>
  ({ suffix, type: 'counter', group, help }) as const satisfies CgroupMetric

export const CGROUP_METRICS = [
  memory('usage', 'Memory charged to the cgroup (v1 memory.usage_in_bytes, v2 memory.current).'),
  memory('limit', 'Memory limit (v1 memory.limit_in_bytes, v2 memory.max); no series when unlimited.'),
  memory('working_set', 'Working set as kubelet, cAdvisor and kubectl top compute it: usage minus inactive file cache, floored at 0.'),
  memory('rss', 'Anonymous memory as cAdvisor reports RSS (v1 total_rss, v2 anon).'),
  memory('cache', 'Page cache charged to the cgroup, shmem included (v1 total_cache, v2 file).'),
  memory('active_file', 'File cache on the active LRU list (v1 total_active_file, v2 active_file).'),
  memory(
    'inactive_file',
    'File cache on the inactive LRU list, the part kubelet treats as reclaimable (v1 total_inactive_file, v2 inactive_file).',
  ),
  memory('dirty', 'Page cache written but not yet sent to disk; not reclaimable until written (v1 total_dirty, v2 file_dirty).'),
  memory('writeback', 'Page cache being written to disk right now; not reclaimable until done (v1 total_writeback, v2 file_writeback).'),
  memory('shmem', 'Shared memory and tmpfs pages (v1 total_shmem, v2 shmem).'),
  memory('mapped_file', 'File pages mapped into processes (v1 total_mapped_file, v2 file_mapped).'),
  memory('kernel', 'Kernel memory charged to the cgroup (v1 memory.kmem.usage_in_bytes, v2 kernel).'),
  memory('swap', 'Swap used by the cgroup (v1 total_swap, v2 memory.swap.current).'),
  memory('peak', 'Highest usage recorded (v1 memory.max_usage_in_bytes, v2 memory.peak, 5.19+).'),
  memory(
    'unreclaimable',
    'Estimate of memory the kernel cannot reclaim right now: anon + shmem + dirty + writeback + unevictable + unreclaimable kernel, at most usage.',
  ),
  counter('events', 'memory_limit_hits_total', 'Times usage hit the limit (v1 memory.failcnt, v2 memory.events max).'),
  counter('events', 'memory_high_events_total', 'Times usage went over memory.high and was throttled (v2 memory.events high).'),
  counter('events', 'memory_oom_events_total', 'Times the cgroup ran out of memory at its limit (v2 memory.events oom).'),
  counter(
    'events',
    'memory_oom_kills_total',
    'Processes killed by the OOM killer in this cgroup (v1 memory.oom_control oom_kill, v2 memory.events oom_kill).',
  ),
  counter('pressure', 'pressure_memory_waiting_seconds_total', 'Time at least one task waited on memory (v2 memory.pressure some total).'),
  counter(
    'pressure',
    'pressure_memory_stalled_seconds_total',
    'Time all non-idle tasks stalled on memory at once (v2 memory.pressure full total).',
  ),
  peak('usage', 'Highest usage over the peak window (--peak-window), fast samples near the limit included.'),
  peak('working_set', 'Highest working set over the peak window.'),
  peak('dirty_writeback', 'Highest dirty + writeback page cache over the peak window: the kernel counters swing, the peak does not.'),
  peak('unreclaimable', 'Highest not-reclaimable estimate over the peak window.'),
  { suffix: 'processes', type: 'gauge', group: 'processes', help: 'Processes in the cgroup and its children (cgroup.procs).' },
  {
    suffix: 'processes_rss_bytes',
    type: 'gauge',
    group: 'processes',
    help: 'Sum of the VmRSS of its processes (/proc/PID/status): what ps inside the container adds up to.',
  },
] as const satisfies readonly CgroupMetric[]

export type CgroupMetricSuffix = (typeof CGROUP_METRICS)[number]['suffix']

/** Descriptive families from the Kubernetes API (group `kubernetes`). */
export const INFO_METRICS = {
  podInfo: {
    name: 'memlens_pod_info',
    type: 'gauge',
    group: 'kubernetes',
    help: 'Pods of this node as the API server describes them; always 1.',
    labels: ['namespace', 'pod', 'pod_uid', 'node', 'qos'],
  },
  containerInfo: {
    name: 'memlens_container_info',
    type: 'gauge',
    group: 'kubernetes',
    help: 'Container cgroups joined with their names and images; always 1.',
    labels: ['namespace', 'pod', 'container', 'container_id', 'image', 'id'],
  },
  request: {
    name: 'memlens_container_memory_request_bytes',
    type: 'gauge',
    group: 'kubernetes',
    help: 'Memory request of the container from the pod spec (resources.requests.memory).',
    labels: ['id', 'namespace', 'pod', 'container'],
  },
} as const satisfies Record<string, MetricName>

/** The agent's own health (prom-client, on the agent's own registry). */
export const SELF_METRICS = {
  duration: {
    name: 'memlens_collect_duration_seconds',
    type: 'histogram',
    help: 'Time one collection cycle took: discovery and reading every cgroup.',
    labels: [],
  },
  errors: {
    name: 'memlens_collect_errors_total',
    type: 'counter',
    help: 'Cgroups or directories that could not be read, by reason (parse, permission, io, discovery).',
    labels: ['reason'],
  },
  cgroups: {
    name: 'memlens_cgroups',
    type: 'gauge',
    help: 'Cgroups found by the last discovery, by kind (pod, container, cgroup).',
    labels: ['kind'],
  },
  lastSuccess: {
    name: 'memlens_collect_last_timestamp_seconds',
    type: 'gauge',
    help: 'Unix time the last collection cycle finished.',
    labels: [],
  },
  buildInfo: {
    name: 'memlens_build_info',
    type: 'gauge',
    help: 'Build of the running memlens agent; always 1.',
    labels: ['version', 'nodejs_version', 'cgroup_version'],
  },
  refused: {
    name: 'memlens_http_requests_refused_total',
    type: 'counter',
    help: 'Requests for /metrics or /api/ answered 503 because --max-requests-in-flight were already in flight.',
    labels: [],
  },
} as const satisfies Record<string, MetricName>

/**
 * The process itself (group `runtime`), named as prom-client's defaults name them, computed
 * only when /metrics is rendered. No event-loop monitor: sampling the loop every 10 ms cost
 * more CPU than an idle agent's collections.
 */
export const RUNTIME_METRICS = {
  cpuUser: {
    name: 'process_cpu_user_seconds_total',
    type: 'counter',
    group: 'runtime',
    help: 'User CPU time spent in seconds.',
    labels: [],
  },
  cpuSystem: {
    name: 'process_cpu_system_seconds_total',
    type: 'counter',
    group: 'runtime',
    help: 'System CPU time spent in seconds.',
    labels: [],
  },
  cpu: {
    name: 'process_cpu_seconds_total',
    type: 'counter',
    group: 'runtime',
    help: 'Total user and system CPU time spent in seconds.',
    labels: [],
  },
  startTime: {
    name: 'process_start_time_seconds',
    type: 'gauge',
    group: 'runtime',
    help: 'Start time of the process since unix epoch in seconds.',
    labels: [],
  },
  residentMemory: {
    name: 'process_resident_memory_bytes',
    type: 'gauge',
    group: 'runtime',
    help: 'Resident memory size in bytes.',
    labels: [],
  },
  openFds: { name: 'process_open_fds', type: 'gauge', group: 'runtime', help: 'Number of open file descriptors.', labels: [] },
  heapTotal: {
    name: 'nodejs_heap_size_total_bytes',
    type: 'gauge',
    group: 'runtime',
    help: 'Process heap size from Node.js in bytes.',
    labels: [],
  },
  heapUsed: {
    name: 'nodejs_heap_size_used_bytes',
    type: 'gauge',
    group: 'runtime',
    help: 'Process heap size used from Node.js in bytes.',
    labels: [],
  },
  external: {
    name: 'nodejs_external_memory_bytes',
    type: 'gauge',
    group: 'runtime',
    help: 'Node.js external memory size in bytes.',
    labels: [],
  },
} as const satisfies Record<string, MetricName>

/** The pod watch's link to the API server (with --node-name). */
export const KUBE_METRICS = {
  watchUp: {
    name: 'memlens_kubernetes_watch_up',
    type: 'gauge',
    help: "1 while the watch on this node's pods is established, 0 while the list or watch is failing and being retried.",
    labels: [],
  },
  errors: {
    name: 'memlens_kubernetes_errors_total',
    type: 'counter',
    help:
      'Failed Kubernetes API calls, by reason: list, watch (request failed or connection lost), ' +
      'gone (410, history expired: relisted), unauthorized (401), forbidden (403), decode (object or watch line not understood), ' +
      'too_large (a pod list or watch event past its cap: dropped, relisted).',
    labels: ['reason'],
  },
  events: {
    name: 'memlens_kubernetes_events_total',
    type: 'counter',
    help:
      'Kubernetes Events explaining OOM kills, by result: sent (created), failed (an attempt failed; ' +
      'retried while the API is away), dropped (given up: the queue was full, or the API rejected it).',
    labels: ['result'],
  },
} as const satisfies Record<string, MetricName>

/** Explained OOM kills (group `oom`); the series outlive the killed container's cgroup. */
export const OOM_METRICS = {
  killsByCause: {
    name: 'memlens_container_oom_kills_by_cause_total',
    type: 'counter',
    group: 'oom',
    help: 'OOM kills memlens explained, by cause (dirty_page_cache, page_cache, anon, shmem, kernel, unknown) and scope (container, pod, node).',
    labels: ['namespace', 'pod', 'container', 'id', 'cause', 'scope'],
  },
  lastKill: {
    name: 'memlens_container_oom_last_kill_timestamp_seconds',
    type: 'gauge',
    group: 'oom',
    help: 'Unix time of the latest explained OOM kill of the container, labelled with its cause.',
    labels: ['namespace', 'pod', 'container', 'id', 'cause', 'scope'],
  },
} as const satisfies Record<string, MetricName>

/** Every metric name memlens can serve, per-cgroup families expanded for containers and pods. */
export function allMetrics(): MetricName[] {
  const out: MetricName[] = []
  for (const m of CGROUP_METRICS) {
    out.push({ name: CONTAINER_PREFIX + m.suffix, type: m.type, help: m.help, labels: CONTAINER_LABELS, group: m.group })
    out.push({ name: POD_PREFIX + m.suffix, type: m.type, help: m.help, labels: POD_LABELS, group: m.group })
  }
  out.push(
    ...Object.values(INFO_METRICS),
    ...Object.values(OOM_METRICS),
    ...Object.values(SELF_METRICS),
    ...Object.values(RUNTIME_METRICS),
    ...Object.values(KUBE_METRICS),
  )
  return out
}
