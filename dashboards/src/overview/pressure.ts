// Limit hits and PSI: the reclaim and stalls that come before a kill.
import { place, type Row } from '../layout.js'
import { CONTAINER_LEGEND, timeSeries } from '../panels.js'
import { container, rate } from '../promql.js'
import { TOP } from './shared.js'

const LIMIT_HITS = container('memory_limit_hits_total')

export const pressure: Row = {
  title: 'Limit hits and memory pressure',
  panels: [
    place(
      timeSeries({
        title: 'Limit hits, most frequent',
        description:
          'How often per second each container reaches its limit and must reclaim first. ' +
          'Hundreds a second with little anon memory is a writer its disk cannot keep up with.',
        unit: 'ops',
        queries: [{ expr: `topk(${TOP}, ${rate(LIMIT_HITS)})`, legend: CONTAINER_LEGEND }],
      }),
      12,
      8,
    ),
    place(
      timeSeries({
        title: 'Memory pressure stalls (PSI some), highest',
        description:
          'Share of time at least one task of the container waited for memory (cgroup v2 ' +
          'only; no series on v1). Sustained values above a few percent slow the program down ' +
          'even when it is never killed.',
        unit: 'percentunit',
        queries: [
          {
            expr: `topk(${TOP}, ${rate(container('pressure_memory_waiting_seconds_total'))})`,
            legend: CONTAINER_LEGEND,
          },
        ],
      }),
      12,
      8,
    ),
    place(
      timeSeries({
        title: 'Limit hits by namespace',
        description: 'Limit hits per second summed per namespace.',
        unit: 'ops',
        queries: [{ expr: `topk(${TOP}, sum by (namespace) (${rate(LIMIT_HITS)}))`, legend: '{{namespace}}' }],
      }),
      12,
      8,
    ),
    place(
      timeSeries({
        title: 'Limit hits by node',
        description: 'Limit hits per second summed per node.',
        unit: 'ops',
        queries: [{ expr: `sum by (node) (${rate(LIMIT_HITS)})`, legend: '{{node}}' }],
      }),
      12,
      8,
    ),
  ],
}
