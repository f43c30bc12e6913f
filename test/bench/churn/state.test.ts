import t from 'tap'
import { compareSeries } from '../../../bench/churn/state.js'

t.test('compareSeries: stale series and missing cgroups against the live set', async (t) => {
  const text = 'memlens_pod_x{id="/p1"} 1\nmemlens_pod_x{id="/p9"} 1\nmemlens_container_x{id="/p1/c1"} 1\n'
  const r = compareSeries(text, { pods: new Set(['/p1', '/p2']), containers: new Set(['/p1/c1']) })
  t.equal(r.stale, 1)
  t.equal(r.missing, 1)
  t.same(r.examples, ['stale: /p9', 'missing: /p2'])
  t.equal(r.cgroupSeries, 3)
})
