// Memory by kind, stacked against the limit: for each container, and for the pod cgroup.
import { place, type Row } from '../layout.js'
import { timeSeries, type Query, type SeriesStyle } from '../panels.js'
import { container, inactiveClean, pod } from '../promql.js'

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

export const kinds: Row = {
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
        styles: [...KINDS.map((kind) => ({ name: kind.legend, color: kind.color })), ...REFERENCE_LINES],
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

export const podKinds: Row = {
  title: 'Pod cgroup',
  panels: [
    place(
      timeSeries({
        title: 'Pod $pod: memory by kind against the pod limit',
        description:
          BY_KIND_DESCRIPTION +
          "The pod cgroup's own numbers: every container of the pod, plus what restarted " +
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
