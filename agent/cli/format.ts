// Short, fixed-width renderings for terminal tables. Absent values print as '-', never 0:
// "the kernel did not say" and "the kernel said zero" mean different things to the reader.
// Widths count code points: names here are DNS labels and cgroup paths (ASCII in practice),
// so East Asian double-width glyphs are not worth a width table.

export const ABSENT = '-'
export const ELLIPSIS = '…'

/** Longest formatBytes output below 1024 EiB ("1023Mi"); numeric columns are this wide. */
export const BYTES_WIDTH = 6

const IEC_SUFFIXES = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'] as const

function isNumber(n: number | null | undefined): n is number {
  return typeof n === 'number' && Number.isFinite(n)
}

/**
 * Bytes in kubectl's IEC short form: `0`, `512`, `512Ki`, `580Mi`, `1.2Gi`; '-' when absent.
 * One decimal below 10 of a unit, because "1Gi" hides a quarter of a gigabyte.
 */
export function formatBytes(bytes: number | null | undefined): string {
  if (!isNumber(bytes)) return ABSENT
  if (bytes < 0) return '-' + formatBytes(-bytes)
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < IEC_SUFFIXES.length - 1) {
    value /= 1024
    unit++
  }
  let rounded = roundForUnit(value, unit)
  // Rounding can carry into the next unit (1023.7Ki would print as 1024Ki).
  if (rounded >= 1024 && unit < IEC_SUFFIXES.length - 1) {
    value /= 1024
    unit++
    rounded = roundForUnit(value, unit)
  }
  return `${rounded}${IEC_SUFFIXES[unit] ?? ''}`
}

function roundForUnit(value: number, unit: number): number {
  // Fractions of a byte are noise; below 10 of a larger unit one decimal carries meaning.
  return unit > 0 && value < 10 ? Math.round(value * 10) / 10 : Math.round(value)
}

/**
 * part/whole as a whole percentage, '-' when either is absent or whole is not positive.
 * Floored, so 99.7% of a limit does not read as "at the limit"; a non-zero share below 1%
 * shows as '<1%' rather than a misleading 0%.
 */
export function formatPercent(part: number | null | undefined, whole: number | null | undefined): string {
  if (!isNumber(part) || !isNumber(whole) || whole <= 0) return ABSENT
  const pct = (part / whole) * 100
  if (pct > 0 && pct < 1) return '<1%'
  if (pct >= 1000) return '>999%'
  return `${Math.floor(pct)}%`
}

/** Number of code points (what a terminal shows for the text this tool prints). */
export function textWidth(s: string): number {
  let n = 0
  for (const _ of s) n++
  return n
}

/** Cuts to width code points, marking the cut with '…' at the end. */
export function truncateEnd(s: string, width: number): string {
  if (textWidth(s) <= width) return s
  if (width <= 0) return ''
  return (
    Array.from(s)
      .slice(0, width - 1)
      .join('') + ELLIPSIS
  )
}

/** Cuts to width code points in the middle, keeping both ends (a path's root and its leaf). */
export function truncateMiddle(s: string, width: number): string {
  const chars = Array.from(s)
  if (chars.length <= width) return s
  if (width <= 0) return ''
  const keep = width - 1
  const head = Math.ceil(keep / 2)
  const tail = keep - head
  return chars.slice(0, head).join('') + ELLIPSIS + (tail > 0 ? chars.slice(-tail).join('') : '')
}

export const TRUNCATIONS = { end: truncateEnd, middle: truncateMiddle } as const
export type Truncation = keyof typeof TRUNCATIONS

/** Left-aligned in exactly width code points: padded with spaces or truncated. */
export function padEnd(s: string, width: number, truncation: Truncation = 'end'): string {
  const cut = TRUNCATIONS[truncation](s, width)
  return cut + ' '.repeat(Math.max(0, width - textWidth(cut)))
}

/** Right-aligned in exactly width code points: padded with spaces or truncated. */
export function padStart(s: string, width: number, truncation: Truncation = 'end'): string {
  const cut = TRUNCATIONS[truncation](s, width)
  return ' '.repeat(Math.max(0, width - textWidth(cut))) + cut
}

/** Hard cut to width without a marker: the last line of defence for a terminal's width. */
export function clip(s: string, width: number): string {
  if (textWidth(s) <= width) return s
  return Array.from(s).slice(0, Math.max(0, width)).join('')
}

/**
 * Replaces control characters with '?'. Cgroup directory names and error messages reach the
 * terminal verbatim; an escape sequence in them must not be able to drive the terminal.
 */
export function printable(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?')
}

/**
 * Joins parts with sep as far as they fit in width: the first part is truncated to fit, later
 * parts are dropped whole, so a summary loses its least important tail rather than breaking
 * mid-word.
 */
export function joinFitting(parts: readonly string[], width: number, sep = '  '): string {
  let line = ''
  for (const part of parts) {
    if (line === '') {
      line = truncateEnd(part, width)
      continue
    }
    const next = line + sep + part
    if (textWidth(next) > width) break
    line = next
  }
  return line
}

/**
 * Word-wraps text to width code points: the first line starts with `first`, the others with
 * `rest` (a hanging indent). Words break at spaces, tabs and newlines, not at no-break
 * spaces (U+00A0), which come out as spaces: `kernel\u00a03.5 MiB` stays on one line. A word
 * longer than a line is cut, so no line is ever wider.
 */
export function wrap(text: string, width: number, first = '', rest = ' '.repeat(textWidth(first))): string[] {
  const lines: string[] = []
  let line = first
  let empty = true
  const room = (): number => width - textWidth(line) - (empty ? 0 : 1)
  for (let word of text.split(/[ \t\r\n]+/).filter((w) => w !== '')) {
    if (!empty && textWidth(word) > room()) {
      lines.push(line)
      line = rest
      empty = true
    }
    // A word wider than a whole line: cut it over as many lines as it needs.
    while (textWidth(word) > room() && room() > 0) {
      const chars = Array.from(word)
      lines.push(line + (empty ? '' : ' ') + chars.slice(0, room()).join(''))
      word = chars.slice(room()).join('')
      line = rest
      empty = true
    }
    line += (empty ? '' : ' ') + word
    empty = false
  }
  lines.push(line)
  return lines.map((l) => clip(l.trimEnd().replace(/\u00a0/g, ' '), width))
}
