// The metric names a PromQL expression selects. Not a parser: it removes what can hold other
// identifiers (strings, label matchers, ranges, grouping labels, function calls' names) and
// keeps the identifiers left over. Good enough for rules and dashboard queries, and tested.

const KEYWORDS = new Set([
  'and',
  'or',
  'unless',
  'bool',
  'offset',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'inf',
  'nan',
])

export function metricNamesIn(expr: string): string[] {
  const stripped = expr
    .replace(/#[^\n]*/g, '')
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/gi, ' ')
    // Grafana variables ($__rate_interval, ${pod}) are not names either.
    .replace(/\boffset\s+-?[\w$]+/gi, ' ')
    .replace(/\$\{?\w+\}?/g, ' ')
    .replace(/(?<![\w:])\d[\w.]*(?:[eE][+-]?\d+)?/g, ' ')
  const names = new Set<string>()
  for (const m of stripped.matchAll(/([a-zA-Z_:][\w:]*)(\s*\()?/g)) {
    const [, name, call] = m
    if (name === undefined || call !== undefined || KEYWORDS.has(name.toLowerCase())) continue
    names.add(name)
  }
  return [...names].sort()
}
