// Sums per namespace and per node.
import { place, type Row } from '../layout.js'
import { timeSeries } from '../panels.js'
import { NAMESPACE, container } from '../promql.js'
import { TOP, rule } from './shared.js'

export const rollUps: Row = {
  title: 'By namespace and node',
  panels: [
    place(
      timeSeries({
        title: 'Working set by namespace',
        description:
          `The working set (what kubectl top shows) summed per namespace, the ${TOP} largest ` + '(recording rule; not filtered by node).',
        unit: 'bytes',
        queries: [
          {
            expr: `topk(${TOP}, ${rule('namespace:memlens_container_memory_working_set_bytes:sum', NAMESPACE)})`,
            legend: '{{namespace}}',
          },
        ],
      }),
      8,
      8,
    ),
    place(
      timeSeries({
        title: 'Unreclaimable memory by namespace',
        description:
          'Memory the kernel cannot reclaim right now, summed per namespace (recording rule; ' +
          'not filtered by node). Where it is far above the working set, dirty pages are hiding ' +
          'on the inactive list.',
        unit: 'bytes',
        queries: [
          {
            expr: `topk(${TOP}, ${rule('namespace:memlens_container_memory_unreclaimable_bytes:sum', NAMESPACE)})`,
            legend: '{{namespace}}',
          },
        ],
      }),
      8,
      8,
    ),
    place(
      timeSeries({
        title: 'Working set and unreclaimable memory by node',
        description:
          'Both summed over the containers of each node: the working set kubelet evicts on, ' +
          'and the part of memory the node could not get back by reclaim.',
        unit: 'bytes',
        queries: [
          {
            expr: `sum by (node) (${container('memory_working_set_bytes')})`,
            legend: '{{node}} working set',
          },
          {
            expr: `sum by (node) (${container('memory_unreclaimable_bytes')})`,
            legend: '{{node}} unreclaimable',
          },
        ],
      }),
      8,
      8,
    ),
  ],
}
