import t from 'tap'
import { RECORDING_RULES, documentedMetrics, metricNames, unknownMetrics, variableQueryMetrics } from './metric-names.js'

t.test('metricNames finds the metrics and nothing else', async (t) => {
  const cases: ReadonlyArray<readonly [string, string[]]> = [
    ['up', ['up']],
    ['memlens_container_memory_usage_bytes{namespace=~"$namespace"}', ['memlens_container_memory_usage_bytes']],
    ['topk(10, a{x="b c"} / b)', ['a', 'b']],
    ['sum by (namespace, pod) (rate(c_total{container!="POD"}[$__rate_interval]))', ['c_total']],
    ['sum(rate(c_total[5m])) without (id) > 0', ['c_total']],
    ['x - x offset $__interval or (x unless x offset 5m)', ['x']],
    ['a and on (namespace, pod) b > 67108864', ['a', 'b']],
    ['a * on (id) group_left (node, qos) b', ['a', 'b']],
    ['clamp_min(a - (b + c), 0) or vector(0)', ['a', 'b', 'c']],
    ['memlens:container_unreclaimable_over_limit:ratio > bool 0.9', ['memlens:container_unreclaimable_over_limit:ratio']],
    ['a * 1e3 + b * 0x1F + Inf', ['a', 'b']],
    ['max_over_time(a[10m:1m])', ['a']],
    ['{__name__="hidden"}', []],
  ]
  for (const [expr, names] of cases) t.strictSame(metricNames(expr), names, expr)
})

t.test('variableQueryMetrics reads label_values', async (t) => {
  t.strictSame(variableQueryMetrics('label_values(memlens_build_info, cluster)'), ['memlens_build_info'])
  t.strictSame(variableQueryMetrics('label_values(m{cluster=~"$cluster", node!=""}, node)'), ['m'])
  t.strictSame(variableQueryMetrics('label_values(namespace)'), [])
})

t.test('documentedMetrics reads full names only', async (t) => {
  const known = documentedMetrics(
    'Each row is `memlens_container_<name>`: `memlens_container_memory_usage_bytes` and ' + '`memlens_build_info`.',
  )
  t.strictSame([...known].sort(), ['memlens_build_info', 'memlens_container_memory_usage_bytes'])
  t.ok(documentedMetrics().has('memlens_container_memory_dirty_bytes'), 'the real docs')
})

t.test('unknownMetrics flags what no list explains', async (t) => {
  const documented = new Set(['memlens_container_memory_usage_bytes'])
  const [rule] = RECORDING_RULES
  t.strictSame(unknownMetrics(['memlens_container_memory_usage_bytes', rule ?? '', 'memlens_container_memory_typo_bytes'], documented), [
    'memlens_container_memory_typo_bytes',
  ])
})
