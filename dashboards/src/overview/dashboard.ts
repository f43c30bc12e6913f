// The overview: which containers of the cluster are in trouble, and why. Ranked views use
// the recording rules (cheap on large clusters, and what the alerts use); the rest reads raw
// series. One file per row, top to bottom.
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard'
import { memlensDashboard } from '../common-dashboard.js'
import { addRows } from '../layout.js'
import { dirty } from './dirty.js'
import { glance } from './glance.js'
import { oomKills } from './oom-kills.js'
import { closestToOom } from './oom-risk.js'
import { pressure } from './pressure.js'
import { rollUps } from './roll-ups.js'
import { workingSetVsRss } from './top-vs-ps.js'

export const overview = (): Dashboard =>
  addRows(
    memlensDashboard({
      uid: 'memlens-overview',
      title: 'memlens / Overview',
      description:
        'Which containers are closest to an OOM kill, which hold the most dirty page cache, ' +
        'why containers were killed, and where kubectl top and ps disagree.',
      scope: 'overview',
    }),
    [glance, closestToOom, dirty, oomKills, workingSetVsRss, pressure, rollUps],
  ).build()
