// Every PromQL query of a Grafana dashboard JSON (panel targets, rows' nested panels,
// annotation queries), with Grafana's variables replaced by values the test's data has, so
// Prometheus can run them.

export interface DashboardQuery {
  /** Where it came from, for messages: panel title and refId. */
  readonly where: string
  readonly expr: string
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : [])
const text = (v: unknown): string => (typeof v === 'string' ? v : '')

function panelQueries(panel: unknown, out: DashboardQuery[]): void {
  if (!isRecord(panel)) return
  for (const target of list(panel['targets'])) {
    if (isRecord(target) && text(target['expr']) !== '') {
      out.push({ where: `panel "${text(panel['title'])}" ${text(target['refId'])}`.trim(), expr: text(target['expr']) })
    }
  }
  for (const inner of list(panel['panels'])) panelQueries(inner, out)
}

export function dashboardQueries(dashboard: unknown): DashboardQuery[] {
  const out: DashboardQuery[] = []
  if (!isRecord(dashboard)) return out
  for (const panel of list(dashboard['panels'])) panelQueries(panel, out)
  const annotations = isRecord(dashboard['annotations']) ? list(dashboard['annotations']['list']) : []
  for (const a of annotations) {
    if (!isRecord(a)) continue
    const expr = text(a['expr']) || (isRecord(a['target']) ? text(a['target']['expr']) : '')
    if (expr !== '') out.push({ where: `annotation "${text(a['name'])}"`, expr })
  }
  return out
}

/** The dashboard's own variables with a current value (custom and constant ones, say). */
export function currentValues(dashboard: unknown): Record<string, string> {
  const values: Record<string, string> = {}
  const templating = isRecord(dashboard) && isRecord(dashboard['templating']) ? list(dashboard['templating']['list']) : []
  for (const v of templating) {
    if (!isRecord(v) || !isRecord(v['current'])) continue
    const value = v['current']['value']
    const first = Array.isArray(value) ? value[0] : value
    if (typeof first === 'string' && text(v['name']) !== '') values[text(v['name'])] = first
  }
  return values
}

/**
 * Replaces $name, ${name} and ${name:format} by values[name]; Grafana's built-in intervals
 * become fixed durations. Throws on a variable it has no value for, naming it.
 */
export function substitute(expr: string, values: Readonly<Record<string, string>>): string {
  return expr.replace(/\$\{(\w+)(?::\w+)?\}|\$(\w+)/g, (whole, braced: string | undefined, bare: string | undefined) => {
    const name = braced ?? bare ?? ''
    const value = values[name]
    if (value === undefined) throw new Error(`no value for Grafana variable ${whole} in: ${expr}`)
    return value
  })
}

/** Grafana's built-in variables, for a test whose data is a minute or two old. */
export const BUILTIN_VALUES: Readonly<Record<string, string>> = {
  __rate_interval: '1m',
  __interval: '5s',
  __interval_ms: '5000',
  __range: '1m',
  __range_s: '60',
  __range_ms: '60000',
}
