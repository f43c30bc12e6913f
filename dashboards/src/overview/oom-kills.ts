// The kills that happened, by the cause memlens found.
import { place, type Row } from '../layout.js'
import { CONTAINER_LEGEND, labelTable, timeSeries } from '../panels.js'
import { grewWithin } from '../promql.js'
import { OOM_BY_CAUSE } from './shared.js'

export const oomKills: Row = {
  title: 'OOM kills',
  panels: [
    place(
      timeSeries({
        title: 'OOM kills by cause',
        description:
          'Kills per interval, by the cause memlens found: dirty_page_cache (writes outpaced ' +
          "the disk), page_cache (clean cache not reclaimed in time), anon (the program's " +
          'own memory), shmem (tmpfs), kernel, unknown. The annotations mark each kill.',
        unit: 'short',
        bars: true,
        queries: [{ expr: `sum by (cause) (${grewWithin(OOM_BY_CAUSE, '$__interval')})`, legend: '{{cause}}' }],
      }),
      12,
      8,
    ),
    place(
      labelTable({
        title: 'OOM kills in the time range',
        description:
          'Every container with an explained kill in the dashboard time range, its cause and ' +
          "scope (container: its own limit; pod: the pod's limit; node: the node ran out).",
        unit: 'short',
        columns: ['namespace', 'pod', 'container', 'cause', 'scope'],
        valueColumn: 'kills',
        queries: [
          {
            expr: 'sum by (namespace, pod, container, cause, scope) ' + `(${grewWithin(OOM_BY_CAUSE, '$__range')}) > 0`,
            legend: CONTAINER_LEGEND,
          },
        ],
      }),
      12,
      8,
    ),
  ],
}
