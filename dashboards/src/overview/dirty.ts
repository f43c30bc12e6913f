// Dirty and writeback page cache: the memory a writer holds until its disk catches up.
import { place, type Row } from '../layout.js'
import { CONTAINER_LEGEND, barGauge, steps, timeSeries } from '../panels.js'
import { NAMESPACE, NODE, container } from '../promql.js'
import { TOP, rule } from './shared.js'

const DIRTY_RATIO = rule('memlens:container_dirty_writeback_over_limit:ratio')

export const dirty: Row = {
  title: 'Dirty and writeback pages',
  panels: [
    place(
      barGauge({
        title: `Dirty + writeback against the limit, top ${TOP}`,
        description:
          'Page cache waiting for or being written to disk, as a share of the limit. Above ' +
          'about half the limit the writer outpaces its disk; the kernel throttles it (cgroup ' +
          'v2) or reclaim stalls on it, and the next step is an OOM kill.',
        unit: 'percentunit',
        max: 1,
        thresholds: steps([0.3, 'orange'], [0.5, 'red']),
        queries: [{ expr: `topk(${TOP}, ${DIRTY_RATIO})`, legend: CONTAINER_LEGEND }],
      }),
      8,
      9,
    ),
    place(
      timeSeries({
        title: 'Biggest dirty + writeback, peak between scrapes',
        description:
          "The highest dirty + writeback each container reached in memlens' peak window (30 s " +
          'by default). These counters swing from zero to half the limit within a second, so ' +
          'a single sample per scrape would miss them.',
        unit: 'bytes',
        queries: [
          {
            expr: `topk(${TOP}, ${container('memory_dirty_writeback_window_max_bytes')})`,
            legend: CONTAINER_LEGEND,
          },
        ],
      }),
      16,
      9,
    ),
    place(
      timeSeries({
        title: 'Dirty + writeback by namespace',
        description:
          `Dirty and writeback pages summed per namespace, the ${TOP} largest (recording rule; ` +
          'not filtered by node, which the sum drops).',
        unit: 'bytes',
        queries: [
          {
            expr: `topk(${TOP}, ${rule('namespace:memlens_container_memory_dirty_writeback_bytes:sum', NAMESPACE)})`,
            legend: '{{namespace}}',
          },
        ],
      }),
      12,
      8,
    ),
    place(
      timeSeries({
        title: 'Dirty + writeback by node',
        description:
          'Dirty and writeback pages of all containers summed per node (recording rule). A ' +
          'node whose sum nears vm.dirty_bytes (or dirty_ratio of its memory) throttles every ' +
          'writer on it, whatever their limits.',
        unit: 'bytes',
        queries: [
          {
            expr: rule('node:memlens_container_memory_dirty_writeback_bytes:sum', NODE),
            legend: '{{node}}',
          },
        ],
      }),
      12,
      8,
    ),
  ],
}
