import t from 'tap'
import { metricNamesIn } from './promql-names.js'

t.test('finds the selected metrics and nothing else', async (t) => {
  t.strictSame(metricNamesIn('up{job="memlens"} == 0 or absent(up{job="memlens"})'), ['up'])
  t.strictSame(metricNamesIn(`sum by (cluster, node) (memlens:container_memory_dirty_writeback_bytes:sum{namespace!=""})`), [
    'memlens:container_memory_dirty_writeback_bytes:sum',
  ])
  t.strictSame(
    metricNamesIn(`time() - a_seconds{container!="POD"} < 900
      or (max_over_time(b_total[15m]) - min_over_time(b_total[15m]) > 0 unless on(id, instance) c_seconds offset 5m)`),
    ['a_seconds', 'b_total', 'c_seconds'],
  )
  t.strictSame(metricNamesIn('topk(10, sum(rate(x_total[5m])) by (namespace) * 1e3) > bool 0.5'), ['x_total'])
  t.strictSame(metricNamesIn('a / ignoring(cause) group_left(scope) b'), ['a', 'b'])
  t.strictSame(metricNamesIn(`label_replace(m{a="b c"}, "dst", "$1", "src", "(.*)")`), ['m'])
  t.strictSame(metricNamesIn('max_over_time((d + w)[2m:30s])'), ['d', 'w'])
})
