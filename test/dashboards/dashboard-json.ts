// Reading dashboard JSON the way Grafana does, from the committed files: panels (rows' nested
// panels too), their queries, the annotation queries and the template variables. The e2e test
// runs every query this module finds, so a query it misses is a query nobody checks.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { isRecord, repoRoot, type Json } from '../deploy/manifests.js'

export const dashboardsDir = join(repoRoot, 'dashboards')
export const componentDir = join(repoRoot, 'manifests', 'components', 'grafana-dashboards')

/** The Grafana built-ins the dashboards use; whoever runs a query substitutes these too. */
export const GRAFANA_BUILTINS = ['__interval', '__range', '__rate_interval'] as const

const list = (v: unknown): Json[] => (Array.isArray(v) ? v.filter(isRecord) : [])
const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined)

export function readDashboard(file: string): Json {
  const parsed: unknown = JSON.parse(readFileSync(join(dashboardsDir, file), 'utf8'))
  if (!isRecord(parsed)) throw new Error(`${file}: not a JSON object`)
  return parsed
}

/** Every panel, rows included, with a collapsed row's nested panels after it. */
export const panelsOf = (dashboard: Json): Json[] => list(dashboard['panels']).flatMap((p) => [p, ...list(p['panels'])])

export const isRow = (panel: Json): boolean => panel['type'] === 'row'

export const targetsOf = (panel: Json): Json[] => list(panel['targets'])

export const variablesOf = (dashboard: Json): Json[] => (isRecord(dashboard['templating']) ? list(dashboard['templating']['list']) : [])

export const annotationsOf = (dashboard: Json): Json[] => (isRecord(dashboard['annotations']) ? list(dashboard['annotations']['list']) : [])

export interface FoundQuery {
  /** Where it sits, for messages: `panel 12 "Title" A`, `annotation "OOM kills"`. */
  readonly where: string
  readonly kind: 'panel' | 'annotation' | 'variable'
  /** PromQL for panels and annotations; `label_values(...)` for variables. */
  readonly query: string
}

export function queriesOf(dashboard: Json): FoundQuery[] {
  const found: FoundQuery[] = []
  for (const panel of panelsOf(dashboard)) {
    for (const target of targetsOf(panel)) {
      const where = `panel ${String(panel['id'])} "${String(panel['title'])}" ${String(target['refId'])}`
      found.push({ where, kind: 'panel', query: text(target['expr']) ?? '' })
    }
  }
  for (const annotation of annotationsOf(dashboard)) {
    const expr = text(annotation['expr']) ?? (isRecord(annotation['target']) ? text(annotation['target']['expr']) : undefined)
    if (expr !== undefined) {
      found.push({ where: `annotation "${String(annotation['name'])}"`, kind: 'annotation', query: expr })
    }
  }
  for (const variable of variablesOf(dashboard)) {
    const query = text(variable['query'])
    if (variable['type'] === 'query' && query !== undefined) {
      found.push({ where: `variable ${String(variable['name'])}`, kind: 'variable', query })
    }
  }
  return found
}

/**
 * Variable names referenced as `$name`, `${name}`, `${name:format}` or `[[name]]`, Grafana's
 * built-ins (`$__range`) included.
 */
export function referencedVariables(s: string): string[] {
  const names = [...s.matchAll(/\$\{(\w+)(?::[^}]*)?\}|\$(\w+)|\[\[(\w+)\]\]/g)].map((m) => m[1] ?? m[2] ?? m[3] ?? '')
  return [...new Set(names)].sort()
}
