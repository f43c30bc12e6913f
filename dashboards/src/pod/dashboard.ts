// One pod and its containers: where the memory went, kind by kind, against the limit. Raw
// metrics only, so it works where the recording rules are not installed. One file per row
// group, top to bottom.
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard'
import { memlensDashboard } from '../common-dashboard.js'
import { addRows } from '../layout.js'
import { events } from './events.js'
import { kinds, podKinds } from './kinds.js'
import { sideBySide } from './side-by-side.js'

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
