// How figures are printed. Every formatter prints "n/a" for a value that was not measured
// (NaN, undefined), never "NaN" or "undefined".

type Maybe = number | undefined

const finite = (x: Maybe): x is number => x !== undefined && Number.isFinite(x)

/** Milliseconds: two decimals below 10, one above. */
export function ms(x: Maybe): string {
  // 9.999 rounds to 10.00: such a value is printed as 10 is.
  return finite(x) ? `${Math.abs(Number(x.toFixed(2))) < 10 ? x.toFixed(2) : x.toFixed(1)} ms` : 'n/a'
}

/** Decimal megabytes, as `ps` and the issue's goals count them. */
export function mb(bytes: Maybe): string {
  return finite(bytes) ? `${(bytes / 1e6).toFixed(1)} MB` : 'n/a'
}

/** A ratio: `1.24x`. */
export function times(x: Maybe): string {
  return finite(x) ? `${x.toFixed(2)}x` : 'n/a'
}

/** A whole number; n/a when not measured. */
export function count(x: Maybe): string {
  return finite(x) ? String(Math.round(x)) : 'n/a'
}

export function percent(share: Maybe): string {
  return finite(share) ? `${(share * 100).toFixed(0)}%` : 'n/a'
}

/** For results.json: a number rounded to `digits`, or null when it was not measured. */
export function round(x: Maybe, digits = 3): number | null {
  return finite(x) ? Number(x.toFixed(digits)) : null
}

/** Whether a figure meets its goal (at most `limit`). */
export function verdict(value: Maybe, limit: number): string {
  if (!finite(value)) return 'not measured'
  return value <= limit ? 'meets target' : 'MISSES target'
}

/** A plain-text table: columns padded to their widest cell, a dashed rule under the header. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: readonly string[]): string =>
    widths
      .map((w, i) => (cells[i] ?? '').padEnd(w))
      .join('  ')
      .trimEnd()
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n')
}

/** The same table as GitHub Markdown, for the README. */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]): string => `| ${header.map((_h, i) => (cells[i] ?? '').replaceAll('|', '\\|')).join(' | ')} |`
  return [line(header), `|${header.map(() => '---').join('|')}|`, ...rows.map(line)].join('\n')
}

/** The first line of an error and the first line after it that names the cause. */
export function errorSummary(error: string): string {
  const lines = error.split('\n')
  const cause = lines.slice(1).find((l) => /error|Error|ERR_/.test(l))
  return `${lines[0] ?? ''}${cause === undefined ? '' : ` ${cause.trim()}`}`
}

/** A warning when other processes competed for the CPUs during the run (1-minute load average). */
export function busyWarning(loadBefore: number, loadAfter: number, cpus: number): string[] {
  const busy = Math.max(loadBefore, loadAfter)
  if (!(busy > cpus * 0.75)) return []
  return [
    `WARNING: 1-minute load average ${loadBefore} before, ${loadAfter} after, on ${cpus} cores: ` +
      'other processes competed for the CPUs, so absolute times are inflated and noisy; the per-round and CPU-time ratios show the spread.',
  ]
}
