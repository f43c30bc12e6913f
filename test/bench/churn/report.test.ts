import t from 'tap'
import { churnReport, type ChurnResult } from '../../../bench/churn/report.js'
import type { AgentState } from '../../../bench/churn/state.js'

const state = (over: Partial<AgentState> = {}): AgentState => ({
  livePods: 2,
  liveContainers: 4,
  seriesPods: 2,
  seriesContainers: 4,
  stale: 0,
  missing: 0,
  examples: [],
  cgroupSeries: 100,
  namedPods: 0,
  vmRssBytes: 60e6,
  vmHwmBytes: 70e6,
  fds: 21,
  ...over,
})

t.test('the churn report says whether series, fds and memory came back', async (t) => {
  const base: ChurnResult = {
    version: 'v2',
    interval: '500ms',
    pods: 2,
    containersPerPod: 2,
    kube: false,
    seconds: 60,
    rate: 10,
    counts: { podsCreated: 600, podsRemoved: 600, containersRestarted: 600 },
    collections: 120,
    before: state(),
    after: state({ vmRssBytes: 61e6 }),
    during: { maxRssBytes: 75e6, maxFds: 23, samples: 12 },
    warnings: { count: 0, first: [] },
  }
  const good = churnReport(base)
  t.match(good, 'series = live set after churn: yes')
  t.match(good, 'open file descriptors: 21 -> 21\n')
  t.match(good, 'RSS: 60.0 MB -> 61.0 MB (+1.0 MB)')
  t.match(good, '600 pods created, 600 removed, 600 containers restarted')
  t.notMatch(good, 'pods with names')
  const bad = churnReport({ ...base, kube: true, after: state({ stale: 1, examples: ['stale: /p9'], fds: 30, namedPods: 1 }) })
  t.match(bad, 'series = live set after churn: NO (stale: /p9)')
  t.match(bad, '21 -> 30 (MORE after churn)')
  t.match(bad, 'pods with names after churn: 1 of 2 live')
})
