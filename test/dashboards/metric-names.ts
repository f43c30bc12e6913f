// Which metric names the dashboards' queries read, and whether each is one memlens serves or
// a recording rule of rules/: the names come from the PromQL extractor the rules tests use.
import { allMetrics } from '../../agent/expose/metric-names.js'
import { metricNamesIn } from '../rules/promql-names.js'
import { isAlert, readRules, ruleName } from '../rules/rules-file.js'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { repoRoot } from '../deploy/manifests.js'

/** The recording rules the rules file (rules/) defines for dashboards and alerts to share. */
export const RECORDING_RULES: ReadonlySet<string> = new Set(
  readRules()
    .flatMap((g) => g.rules)
    .filter((r) => !isAlert(r))
    .map(ruleName),
)

/** The metric names a PromQL expression reads, sorted, each once (one extractor for rules and dashboards). */
export const metricNames = metricNamesIn

/** `label_values(metric{...}, label)` reads `metric`; `label_values(label)` reads none. */
export function variableQueryMetrics(query: string): string[] {
  const m = /^\s*label_values\(\s*(.*),\s*\w+\s*\)\s*$/s.exec(query)
  return m?.[1] === undefined ? [] : metricNames(m[1])
}

/** Every `memlens_*` name docs/metrics.md mentions. */
export function documentedMetrics(markdown = readFileSync(join(repoRoot, 'docs', 'metrics.md'), 'utf8')): Set<string> {
  // A name cut short by a placeholder (`memlens_container_<name>`) ends with `_`: not a name.
  const inDocs = new Set([...markdown.matchAll(/\bmemlens_\w+/g)].map((m) => m[0]).filter((n) => !n.endsWith('_')))
  // The code table is the list; a name must also be documented to count.
  return new Set(
    allMetrics()
      .map((m) => m.name)
      .filter((n) => inDocs.has(n)),
  )
}

/** The names in `used` that are neither documented nor a recording rule. */
export function unknownMetrics(used: Iterable<string>, documented: ReadonlySet<string>): string[] {
  return [...new Set(used)].filter((n) => !documented.has(n) && !RECORDING_RULES.has(n)).sort()
}
