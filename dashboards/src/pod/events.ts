// Limit hits, pressure stalls and the OOM kills they lead to.
import { place, type Row } from '../layout.js'
import { labelTable, timeSeries } from '../panels.js'
import { container, grewWithin, pod, rate } from '../promql.js'

export const events: Row = {
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
          "pod cgroup by its own counter (hierarchical on cgroup v2; on v1 the pod's counter " +
          'counts only kills at the pod limit).',
        unit: 'short',
        bars: true,
        queries: [
          {
            expr: 'sum by (container, cause) ' + `(${grewWithin(container('oom_kills_by_cause_total'), '$__interval')})`,
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
          "that ran out of memory (container, pod or node). `memlens explain` and the pod's " +
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
