import t from 'tap'
import { BUILTIN_VALUES, currentValues, dashboardQueries, substitute } from './dashboard-queries.js'

const dashboard = {
  panels: [
    {
      title: 'Top',
      targets: [
        { refId: 'A', expr: 'topk(5, a{namespace=~"$namespace"})' },
        { refId: 'B', datasource: 'x' },
      ],
    },
    { type: 'row', title: 'Row', panels: [{ title: 'Inner', targets: [{ refId: 'A', expr: 'rate(b[$__rate_interval])' }] }] },
  ],
  annotations: {
    list: [
      { name: 'OOM', expr: 'c{pod="${pod}"}' },
      { name: 'builtin', builtIn: 1 },
    ],
  },
  templating: {
    list: [
      { name: 'topk', current: { value: '10' } },
      { name: 'namespace', current: { value: ['$__all'] } },
    ],
  },
}

t.test('finds panel, row and annotation queries', async (t) => {
  t.strictSame(dashboardQueries(dashboard), [
    { where: 'panel "Top" A', expr: 'topk(5, a{namespace=~"$namespace"})' },
    { where: 'panel "Inner" A', expr: 'rate(b[$__rate_interval])' },
    { where: 'annotation "OOM"', expr: 'c{pod="${pod}"}' },
  ])
  t.strictSame(dashboardQueries('not a dashboard'), [])
})

t.test('substitutes every variable form and refuses unknown ones', async (t) => {
  const values = { ...BUILTIN_VALUES, namespace: 'cdi', pod: 'importer-disk', cluster: '' }
  t.equal(
    substitute('a{namespace=~"$namespace",pod="${pod}",cluster="${cluster:regex}"}[$__rate_interval]', values),
    'a{namespace=~"cdi",pod="importer-disk",cluster=""}[1m]',
  )
  t.throws(() => substitute('a{x="$unknown"}', values), /\$unknown/)
  t.strictSame(currentValues(dashboard), { topk: '10', namespace: '$__all' })
})
