// Metric names out of PromQL, without a PromQL parser: strings, label matchers, ranges,
// grouping clauses and offsets are cut away first, then every identifier that is not a
// function, a keyword or a number is a metric (or recording rule) name.
import { allMetrics } from '../../agent/expose/metric-names.js'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { repoRoot } from '../deploy/manifests.js'

/** The recording rules the rules (rules/) define for dashboards and alerts to share. */
export const RECORDING_RULES: ReadonlySet<string> = new Set([
  'memlens:container_dirty_writeback_over_limit:ratio',
  'memlens:container_unreclaimable_over_limit:ratio',
  'memlens:container_working_set_over_limit:ratio',
  'memlens:container_usage_over_limit:ratio',
  'memlens:container_processes_rss_over_working_set:ratio',
  'namespace:memlens_container_memory_dirty_writeback_bytes:sum',
  'namespace:memlens_container_memory_working_set_bytes:sum',
  'namespace:memlens_container_memory_unreclaimable_bytes:sum',
  'node:memlens_container_memory_dirty_writeback_bytes:sum',
])

/** Issue 7's metrics are in the code table now; nothing is pending. */
export const PENDING_ISSUE_7: ReadonlySet<string> = new Set()

const KEYWORDS = new Set([
  'and',
  'or',
  'unless',
  'bool',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'offset',
  'atan2',
  'inf',
  'nan',
])

/** The metric names a PromQL expression reads, sorted, each once. */
export function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/gi, ' ')
    .replace(/\boffset\s+-?[\w$]+/gi, ' ')
  const names = [...bare.matchAll(/(?<![\w$.:])([a-zA-Z_:][\w:]*)(\s*\()?/g)]
    .filter((m) => m[2] === undefined)
    .map((m) => m[1] ?? '')
    .filter((name) => !KEYWORDS.has(name.toLowerCase()))
  return [...new Set(names)].sort()
}

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

/** The names in `used` that are neither documented, nor a recording rule, nor pending. */
export function unknownMetrics(used: Iterable<string>, documented: ReadonlySet<string>): string[] {
  return [...new Set(used)].filter((n) => !documented.has(n) && !RECORDING_RULES.has(n) && !PENDING_ISSUE_7.has(n)).sort()
}
