import t from 'tap'
import { cgroupIds, cgroupSeriesCount, cycleCounters, namedPods, seriesCount } from '../../bench/metrics-text.js'

const TEXT = `# HELP memlens_container_memory_usage_bytes Usage.
# TYPE memlens_container_memory_usage_bytes gauge
memlens_container_memory_usage_bytes{id="/kubepods.slice/a.slice/c1.scope",namespace="",pod="",container=""} 4096
memlens_container_memory_usage_bytes{id="/kubepods.slice/a.slice/c2.scope",namespace="ns",pod="web",container="app"} 8192
memlens_container_info{namespace="ns",pod="web",container="app",container_id="c2",image="x",id="/kubepods.slice/a.slice/c2.scope"} 1
memlens_pod_memory_usage_bytes{id="/kubepods.slice/a.slice",namespace="ns",pod="web"} 12288
memlens_pod_info{namespace="ns",pod="web",pod_uid="u1",node="n",qos="burstable"} 1
memlens_pod_info{namespace="",pod="",pod_uid="u2",node="n",qos="burstable"} 1
memlens_collect_duration_seconds_sum 1.25
memlens_collect_duration_seconds_count 17

`

t.test('series and the agent counters', async (t) => {
  t.equal(seriesCount(TEXT), 8)
  t.equal(cgroupSeriesCount(TEXT), 6)
  t.same(cycleCounters(TEXT), { count: 17, sumSeconds: 1.25 })
  const none = cycleCounters('')
  t.ok(Number.isNaN(none.count) && Number.isNaN(none.sumSeconds), 'absent counters are NaN')
})

t.test('cgroupIds: the id label of pod and container series, wherever it stands', async (t) => {
  const ids = cgroupIds(TEXT)
  t.same([...ids.containers].sort(), ['/kubepods.slice/a.slice/c1.scope', '/kubepods.slice/a.slice/c2.scope'])
  t.same([...ids.pods], ['/kubepods.slice/a.slice'])
  t.same([...cgroupIds('memlens_pod_x{id="/a\\"b"} 1\n').pods], ['/a"b'], 'escapes undone')
})

t.test('namedPods counts pod_info series with a pod name', async (t) => {
  t.equal(namedPods(TEXT), 1)
})
