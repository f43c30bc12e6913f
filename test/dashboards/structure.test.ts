// The committed dashboards are well-formed Grafana JSON: what Grafana needs to load them and
// what a reader needs to understand each panel without a legend hunt.
import t from 'tap'
import { isRecord, type Json } from '../deploy/manifests.js'
import { dashboards } from '../../dashboards/src/render.js'
import {
  GRAFANA_BUILTINS,
  annotationsOf,
  isRow,
  panelsOf,
  queriesOf,
  readDashboard,
  referencedVariables,
  targetsOf,
  variablesOf,
} from './dashboard-json.js'
import { metricNames, variableQueryMetrics } from './metric-names.js'

const GRID_COLUMNS = 24
const VARIABLES = ['datasource', 'cluster', 'node', 'namespace', 'pod', 'container']
const DATASOURCE = { type: 'prometheus', uid: '${datasource}' }

const files = dashboards().map((d) => d.file)
const loaded = files.map((file) => ({ file, json: readDashboard(file) }))

interface Box {
  readonly x: number
  readonly y: number
  readonly w: number
  readonly h: number
}

const isBox = (v: unknown): v is Box => isRecord(v) && ['x', 'y', 'w', 'h'].every((k) => Number.isInteger(v[k]))

const overlap = (a: Box, b: Box): boolean => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h

const fieldDefaults = (panel: Json): Json =>
  isRecord(panel['fieldConfig']) && isRecord(panel['fieldConfig']['defaults']) ? panel['fieldConfig']['defaults'] : {}

t.test('stable uids, memlens tags, distinct titles', async (t) => {
  t.strictSame(
    loaded.map(({ json }) => json['uid']),
    ['memlens-overview', 'memlens-pod'],
  )
  t.equal(new Set(loaded.map(({ json }) => json['title'])).size, loaded.length)
  for (const { file, json } of loaded) t.match(json['tags'], ['memlens'], file)
})

for (const { file, json } of loaded) {
  t.test(file, async (t) => {
    const panels = panelsOf(json)
    const ids = panels.map((p) => p['id'])

    t.test('panel ids are unique positive integers', async (t) => {
      t.ok(
        ids.every((id) => Number.isInteger(id) && Number(id) > 0),
        'integers above 0',
      )
      t.equal(new Set(ids).size, ids.length, 'no id twice')
    })

    t.test('every panel has a data source, a unit, a description and queries', async (t) => {
      for (const panel of panels.filter((p) => !isRow(p))) {
        const name = `panel ${String(panel['id'])} "${String(panel['title'])}"`
        t.strictSame(panel['datasource'], DATASOURCE, `${name} datasource`)
        t.match(fieldDefaults(panel)['unit'], /^\w+$/, `${name} unit`)
        t.match(panel['title'], /\S/, `${name} title`)
        t.match(panel['description'], /\S{3}/, `${name} description`)
        const targets = targetsOf(panel)
        t.not(targets.length, 0, `${name} has a query`)
        t.equal(new Set(targets.map((q) => q['refId'])).size, targets.length, `${name} refIds`)
        for (const target of targets) {
          const query = `${name} ${String(target['refId'])}`
          t.match(target['expr'], /\S/, `${query} expr`)
          t.match(target['legendFormat'], /\S/, `${query} legend`)
          t.strictSame(target['datasource'], DATASOURCE, `${query} datasource`)
        }
      }
    })

    t.test('panels sit on the grid without overlapping', async (t) => {
      const boxes: Array<{ readonly name: string; readonly box: Box }> = []
      for (const panel of list(json['panels'])) {
        const name = `panel ${String(panel['id'])}`
        const box = panel['gridPos']
        if (!isBox(box)) {
          t.fail(`${name} has no integer gridPos`)
          continue
        }
        t.ok(box.x >= 0 && box.y >= 0 && box.w >= 1 && box.h >= 1, `${name} inside`)
        t.ok(box.x + box.w <= GRID_COLUMNS, `${name} within ${GRID_COLUMNS} columns`)
        if (isRow(panel)) t.strictSame(box, { x: 0, y: box.y, w: GRID_COLUMNS, h: 1 }, `${name} row`)
        for (const other of boxes) t.notOk(overlap(box, other.box), `${name} clear of ${other.name}`)
        boxes.push({ name, box })
      }
    })

    // Grafana shows an expanded row's panels only when they follow the row in the flat list;
    // panels nested in an expanded row are silently not drawn.
    t.test('expanded rows nest no panels', async (t) => {
      for (const row of panels.filter(isRow)) {
        if (row['collapsed'] !== true) t.strictSame(row['panels'], [], `row "${String(row['title'])}"`)
      }
    })

    t.test('the variables, each used, and every reference defined', async (t) => {
      const variables = variablesOf(json)
      t.strictSame(
        variables.map((v) => v['name']),
        VARIABLES,
      )
      t.match(variables[0], { type: 'datasource', query: 'prometheus' })
      for (const v of variables.slice(1)) {
        t.match(v, { type: 'query', datasource: DATASOURCE }, `${String(v['name'])} queries Prometheus`)
        if (v['includeAll'] === true) t.equal(v['allValue'], '.*', `${String(v['name'])}: All matches a missing label`)
      }
      for (const name of ['cluster', 'node', 'container']) {
        t.match(
          variables.find((v) => v['name'] === name),
          { includeAll: true, multi: true },
          `${name} can be All`,
        )
      }

      const queries = queriesOf(json)
      const used = new Set([
        ...queries.flatMap((q) => referencedVariables(q.query)),
        ...panels.flatMap((p) => referencedVariables(JSON.stringify(p['datasource'] ?? ''))),
      ])
      for (const v of variables) t.ok(used.has(String(v['name'])), `$${String(v['name'])} is used by a query`)

      const defined = new Set([...variables.map((v) => String(v['name'])), ...GRAFANA_BUILTINS])
      // Everything but the variables' own state, where `$__all` means "All is selected".
      const referenced = [
        ...referencedVariables(JSON.stringify({ ...json, templating: undefined })),
        ...queries.flatMap((q) => referencedVariables(q.query)),
      ]
      t.strictSame(
        referenced.filter((name) => !defined.has(name)),
        [],
        'every $variable is defined',
      )
    })

    // Grafana turns "All" into `.*` and a multi-value choice into `(a|b)`: only a regex
    // matcher takes both, and the e2e test substitutes `.*` the same way.
    t.test('variables are matched with =~ and container panels leave out the sandbox', async (t) => {
      for (const q of queriesOf(json)) {
        t.notMatch(q.query, /(?:^|[^=!~])(?:=|!=)\s*"[^"]*\$/, `${q.where}: no = or != on a variable`)
        for (const [, metric, matchers] of q.query.matchAll(/([\w:]+)\{([^}]*)\}/g)) {
          t.match(matchers, /cluster=~"\$cluster"/, `${q.where}: ${String(metric)} filtered by cluster`)
          if (q.kind !== 'variable' && /^memlens(?:_|:)container_/.test(metric ?? '')) {
            t.match(matchers, /container!="POD"/, `${q.where}: ${String(metric)} without the sandbox`)
          }
        }
        // The cluster list is the top of the chain: nothing to narrow it by.
        if (q.where === 'variable cluster') continue
        const names = q.kind === 'variable' ? variableQueryMetrics(q.query) : metricNames(q.query)
        for (const name of names) {
          t.ok(q.query.includes(`${name}{`), `${q.where}: ${name} has a selector`)
        }
      }
    })

    t.test('OOM kills are annotations placed at the kill time', async (t) => {
      const [annotation, ...more] = annotationsOf(json)
      t.strictSame(more, [])
      t.match(annotation, {
        name: 'OOM kills',
        enable: true,
        datasource: DATASOURCE,
        useValueForTime: true,
        expr: /^memlens_container_oom_last_kill_timestamp_seconds\{.*\} \* 1000$/,
        titleFormat: /\{\{cause\}\}/,
      })
    })
  })
}

const list = (v: unknown): Json[] => (Array.isArray(v) ? v.filter(isRecord) : [])

t.test('the structure checks can fail', async (t) => {
  t.ok(overlap({ x: 0, y: 0, w: 12, h: 8 }, { x: 11, y: 7, w: 2, h: 2 }))
  t.notOk(overlap({ x: 0, y: 0, w: 12, h: 8 }, { x: 12, y: 0, w: 12, h: 8 }))
  t.notOk(isBox({ x: 0, y: 0, w: 1.5, h: 1 }))
  t.strictSame(referencedVariables('a{b=~"$ns", c="${pod:regex}"}[$__range] [[old]]'), ['__range', 'ns', 'old', 'pod'])
})
