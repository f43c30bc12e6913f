// The first row: a handful of numbers for the whole selection.
import { place, type Row } from '../layout.js'
import { LIMIT_STEPS, statPanel, steps } from '../panels.js'
import { NODE, container, grewWithin, rate } from '../promql.js'
import { OOM_BY_CAUSE, UNRECLAIMABLE_RATIO } from './shared.js'

export const glance: Row = {
  title: 'At a glance',
  panels: [
    place(
      statPanel({
        title: 'Containers watched',
        description: 'Containers memlens reports for the selection, pod sandboxes ("POD") left out.',
        unit: 'short',
        queries: [{ expr: `count(${container('memory_usage_bytes')})`, legend: 'containers' }],
      }),
      4,
      4,
    ),
    place(
      statPanel({
        title: 'Closest to an OOM kill',
        description:
          'The highest share of its limit that any container cannot give back right now ' +
          '(anon, shmem, dirty and writeback pages, unreclaimable kernel memory). At 100 % the ' +
          'next allocation triggers the OOM killer. Containers without a limit are left out.',
        unit: 'percentunit',
        thresholds: LIMIT_STEPS,
        queries: [{ expr: `max(${UNRECLAIMABLE_RATIO})`, legend: 'highest' }],
      }),
      4,
      4,
    ),
    place(
      statPanel({
        title: 'Dirty + writeback',
        description:
          'Page cache written by the selected containers and not yet on disk, summed. It is ' +
          'charged to each container and cannot be reclaimed until the disk has taken it.',
        unit: 'bytes',
        queries: [
          {
            expr: `sum(${container('memory_dirty_bytes')} + ${container('memory_writeback_bytes')})`,
            legend: 'dirty + writeback',
          },
        ],
      }),
      4,
      4,
    ),
    place(
      statPanel({
        title: 'OOM kills in the time range',
        description:
          'Processes the OOM killer ended in the selected containers during the dashboard time ' +
          'range, as explained by memlens (every cause).',
        unit: 'short',
        thresholds: steps([1, 'red']),
        queries: [{ expr: `sum(${grewWithin(OOM_BY_CAUSE, '$__range')}) or vector(0)`, legend: 'kills' }],
      }),
      4,
      4,
    ),
    place(
      statPanel({
        title: 'Limit hits',
        description:
          'How often per second the selected containers reached their limit and the kernel ' +
          'had to reclaim before it could charge more memory (v1 failcnt, v2 memory.events max).',
        unit: 'ops',
        thresholds: steps([1, 'orange'], [100, 'red']),
        queries: [
          {
            expr: `sum(${rate(container('memory_limit_hits_total'))}) or vector(0)`,
            legend: 'limit hits',
          },
        ],
      }),
      4,
      4,
    ),
    place(
      statPanel({
        title: 'memlens agents',
        description: 'Nodes whose memlens agent Prometheus scrapes. Fewer than the nodes you expect means ' + 'some nodes are not watched.',
        unit: 'short',
        queries: [{ expr: `count(memlens_build_info{${NODE}})`, legend: 'agents' }],
      }),
      4,
      4,
    ),
  ],
}
