// One pod and its containers: where the memory went, kind by kind, against the limit. Raw
// metrics only, so it works where the recording rules are not installed.
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard'
import { memlensDashboard } from './common-dashboard.js'
import { addRows, place, type Row } from './layout.js'
import { LIMIT_STEPS, labelTable, timeSeries, type Query, type SeriesStyle } from './panels.js'
import { container, dirtyWriteback, grewWithin, inactiveClean, pod, rate } from './promql.js'

type Family = (name: string) => string

interface Kind {
  readonly legend: string
  readonly color: string
  readonly expr: (family: Family) => string
}

/**
 * Usage split into parts that do not overlap, so they stack up to about the usage: anon and
 * shmem live on the anon LRU, active and inactive file pages on the file LRU, and the dirty
 * and writeback pages are taken out of the inactive file pages where fresh writes sit.
 */
const KINDS: readonly Kind[] = [
  { legend: 'anon (RSS)', color: 'blue', expr: (f) => f('memory_rss_bytes') },
  { legend: 'shmem', color: 'purple', expr: (f) => f('memory_shmem_bytes') },
  { legend: 'kernel', color: '#8e8e8e', expr: (f) => f('memory_kernel_bytes') },
  { legend: 'active file', color: 'green', expr: (f) => f('memory_active_file_bytes') },
  { legend: 'inactive clean file', color: 'light-green', expr: inactiveClean },
  { legend: 'dirty', color: 'orange', expr: (f) => f('memory_dirty_bytes') },
  { legend: 'writeback', color: 'red', expr: (f) => f('memory_writeback_bytes') },
]

const REFERENCE_LINES: readonly SeriesStyle[] = [
  { name: 'limit', color: 'dark-red', line: true },
  { name: 'usage', color: 'yellow', line: true },
]

const byKind = (family: Family, prefix: string): Query[] => [
  ...KINDS.map((kind) => ({ expr: kind.expr(family), legend: `${prefix}${kind.legend}` })),
  { expr: family('memory_usage_bytes'), legend: `${prefix}usage` },
  { expr: family('memory_limit_bytes'), legend: `${prefix}limit` },
]

const BY_KIND_DESCRIPTION =
  'Usage split by kind, stacked, with the usage and the limit as dashed lines. Dirty and ' +
  'writeback pages cannot be reclaimed until the disk has them; anon, shmem and most kernel ' +
  'memory not at all without swap; active and inactive clean file pages can be dropped. ' +
  'When the stack reaches the limit with dirty pages on top, the writer outpaces its disk. '

const kinds: Row = {
  title: 'Memory by kind',
  panels: [
    place(
      timeSeries({
        title: 'Container $container: memory by kind against the limit',
        description:
          BY_KIND_DESCRIPTION +
          'One panel per selected container. Dirty pages on the active list are counted twice, ' +
          'so the stack can sit slightly above the usage line.',
        unit: 'bytes',
        stack: true,
        styles: [
          ...KINDS.map((kind) => ({ name: kind.legend, color: kind.color })),
          ...REFERENCE_LINES,
        ],
        queries: byKind(container, ''),
      })
        .repeat('container')
        .repeatDirection('h')
        .maxPerRow(2),
      12,
      10,
    ),
  ],
}

const podKinds: Row = {
  title: 'Pod cgroup',
  panels: [
    place(
      timeSeries({
        title: 'Pod $pod: memory by kind against the pod limit',
        description:
          BY_KIND_DESCRIPTION +
          'The pod cgroup\'s own numbers: every container of the pod, plus what restarted ' +
          'containers left behind (page cache stays charged to the pod). The pod limit is the ' +
          'sum of the container limits; a pod-level OOM kill happens against it.',
        unit: 'bytes',
        stack: true,
        styles: [
          ...KINDS.map((kind) => ({ name: `pod ${kind.legend}`, color: kind.color })),
          ...REFERENCE_LINES.map((line) => ({ ...line, name: `pod ${line.name}` })),
        ],
        queries: byKind(pod, 'pod '),
      }),
      24,
      9,
    ),
  ],
}

const sideBySide: Row = {
  title: 'Working set, RSS and peaks',
  panels: [
    place(
      timeSeries({
        title: 'Working set, cgroup RSS and process RSS',
        description:
          'Three answers to "how much memory does it use?": the working set (kubectl top, ' +
          'kubelet evictions: usage minus inactive file cache), the cgroup\'s anonymous memory ' +
          '(cAdvisor\'s container_memory_rss) and the sum of its processes\' VmRSS (what ps ' +
          'shows, including mapped files). A working set far above both is page cache.',
        unit: 'bytes',
        queries: [
          {
            expr: container('memory_working_set_bytes'),
            legend: '{{container}} working set (kubectl top)',
          },
          { expr: container('memory_rss_bytes'), legend: '{{container}} cgroup RSS (anon)' },
          {
            expr: container('processes_rss_bytes'),
            legend: '{{container}} process RSS (ps)',
          },
          { expr: container('memory_limit_bytes'), legend: '{{container}} limit' },
        ],
      }).overrideByRegexp('.* limit$', [
        { id: 'custom.fillOpacity', value: 0 },
        { id: 'custom.lineStyle', value: { fill: 'dash', dash: [10, 10] } },
      ]),
      12,
      9,
    ),
    place(
      timeSeries({
        title: 'Peaks between scrapes',
        description:
          'The highest values memlens saw within its peak window (30 s by default, sampling ' +
          'faster near the limit) next to the value at the scrape. Dirty and writeback pages ' +
          'swing within a second; a peak far above the scraped value is what a 15 s scrape ' +
          'misses.',
        unit: 'bytes',
        queries: [
          {
            expr: container('memory_usage_window_max_bytes'),
            legend: '{{container}} usage, peak',
          },
          {
            expr: container('memory_working_set_window_max_bytes'),
            legend: '{{container}} working set, peak',
          },
          {
            expr: container('memory_unreclaimable_window_max_bytes'),
            legend: '{{container}} unreclaimable, peak',
          },
          {
            expr: container('memory_dirty_writeback_window_max_bytes'),
            legend: '{{container}} dirty + writeback, peak',
          },
          {
            expr: dirtyWriteback(container),
            legend: '{{container}} dirty + writeback, at scrape',
          },
        ],
      }),
      12,
      9,
    ),
    place(
      timeSeries({
        title: 'Against the limit',
        description:
          'Peak usage, peak unreclaimable memory and peak dirty + writeback as shares of the ' +
          'limit, with the working set for comparison. Unreclaimable near 100 % means the next ' +
          'allocation kills; a working set far below it is dirty pages hiding on the inactive ' +
          'list. No series for a container without a limit.',
        unit: 'percentunit',
        thresholds: LIMIT_STEPS,
        queries: [
          {
            expr: `${container('memory_usage_window_max_bytes')} / ${container('memory_limit_bytes')}`,
            legend: '{{container}} usage, peak',
          },
          {
            expr: `${container('memory_unreclaimable_window_max_bytes')} / ${container('memory_limit_bytes')}`,
            legend: '{{container}} unreclaimable, peak',
          },
          {
            expr: `${container('memory_dirty_writeback_window_max_bytes')} / ${container('memory_limit_bytes')}`,
            legend: '{{container}} dirty + writeback, peak',
          },
          {
            expr: `${container('memory_working_set_bytes')} / ${container('memory_limit_bytes')}`,
            legend: '{{container}} working set',
          },
        ],
      }),
      12,
      9,
    ),
    place(
      timeSeries({
        title: 'Processes',
        description:
          'Processes in each container cgroup. A count that drops to zero and comes back is ' +
          'a restart; compare with the OOM kill markers.',
        unit: 'short',
        queries: [{ expr: container('processes'), legend: '{{container}} processes' }],
      }),
      12,
      9,
    ),
  ],
}

const events: Row = {
  title: 'Limit hits, pressure and OOM kills',
  panels: [
    place(
      timeSeries({
        title: 'Limit hits and memory.high events',
        description:
          'Per second: times the container reached its limit and the kernel reclaimed first ' +
          '(limit hits), went over memory.high and was throttled, or ran out of memory at the ' +
          'limit (OOM events; cgroup v2 only). Limit hits climbing by hundreds a second come ' +
          'before a kill.',
        unit: 'ops',
        queries: [
          {
            expr: rate(container('memory_limit_hits_total')),
            legend: '{{container}} limit hits',
          },
          {
            expr: rate(container('memory_high_events_total')),
            legend: '{{container}} over memory.high',
          },
          {
            expr: rate(container('memory_oom_events_total')),
            legend: '{{container}} OOM events',
          },
        ],
      }),
      8,
      8,
    ),
    place(
      timeSeries({
        title: 'Memory pressure (PSI)',
        description:
          'Share of wall time that some task (some) or every task at once (full) waited for ' +
          'memory, for each container and the whole pod. cgroup v2 only.',
        unit: 'percentunit',
        queries: [
          {
            expr: rate(container('pressure_memory_waiting_seconds_total')),
            legend: '{{container}} some',
          },
          {
            expr: rate(container('pressure_memory_stalled_seconds_total')),
            legend: '{{container}} full',
          },
          { expr: rate(pod('pressure_memory_waiting_seconds_total')), legend: 'pod some' },
          { expr: rate(pod('pressure_memory_stalled_seconds_total')), legend: 'pod full' },
        ],
      }),
      8,
      8,
    ),
    place(
      timeSeries({
        title: 'OOM kills by cause',
        description:
          'Kills per interval by container and the cause memlens found, and every kill in the ' +
          'pod cgroup by its own counter (hierarchical on cgroup v2; on v1 the pod\'s counter ' +
          'counts only kills at the pod limit).',
        unit: 'short',
        bars: true,
        queries: [
          {
            expr:
              'sum by (container, cause) ' +
              `(${grewWithin(container('oom_kills_by_cause_total'), '$__interval')})`,
            legend: '{{container}}: {{cause}}',
          },
          {
            expr: grewWithin(pod('memory_oom_kills_total'), '$__interval'),
            legend: 'pod cgroup, all causes',
          },
        ],
      }),
      8,
      8,
    ),
    place(
      labelTable({
        title: 'Latest OOM kill per container',
        description:
          'When memlens last explained a kill of each container, with the cause and the level ' +
          'that ran out of memory (container, pod or node). `memlens explain` and the pod\'s ' +
          'OOMKillExplained events give the numbers behind it.',
        unit: 'dateTimeAsIso',
        columns: ['container', 'cause', 'scope'],
        valueColumn: 'killed at',
        queries: [
          {
            expr: `${container('oom_last_kill_timestamp_seconds')} * 1000`,
            legend: '{{container}}',
          },
        ],
      }),
      24,
      6,
    ),
  ],
}

export const podDashboard = (): Dashboard =>
  addRows(
    memlensDashboard({
      uid: 'memlens-pod',
      title: 'memlens / Pod',
      description:
        'One pod and its containers: memory by kind against the limit, the working set next ' +
        'to the RSS that ps shows, peaks between scrapes, limit hits, pressure and OOM kills.',
      scope: 'pod',
    }),
    [kinds, podKinds, sideBySide, events],
  ).build()
