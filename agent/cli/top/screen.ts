// What `memlens top` shows: the view state, the screen it renders to (pure), and that screen
// as terminal bytes.
import type { SortKey } from '../../config.js'
import type { SnapshotJson } from '../../expose/snapshot-json.js'
import { clip, joinFitting, textWidth, truncateEnd } from '../format.js'
import { renderTableLines, type TableKind } from '../table.js'
import { ANSI } from './terminal.js'

/** Lines above the table rows on screen: summary, status, header. */
const CHROME_LINES = 3

/** Everything the screen shows; runTop mutates one of these, renderScreen reads it. */
export interface TopView {
  sort: SortKey
  reverse: boolean
  kind: TableKind
  /** The last snapshot that arrived; kept while later fetches fail. */
  data: SnapshotJson | undefined
  updatedAt: Date | undefined
  error: { readonly message: string; readonly at: Date } | undefined
}

export interface ScreenSize {
  readonly columns: number
  readonly rows: number
}

export interface Screen {
  /** Plain text, none wider than the screen, no more of them than it has rows. */
  readonly lines: readonly string[]
  /** Index of the table header in lines, for highlighting. */
  readonly headerAt: number | undefined
}

function clock(d: Date): string {
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':')
}

function direction(view: TopView): string {
  const ascending = (view.sort === 'name') !== view.reverse
  return ascending ? 'asc' : 'desc'
}

function statusLine(view: TopView, shown: number, total: number, width: number): string {
  const parts: string[] = []
  if (view.error !== undefined) {
    const kept = view.updatedAt === undefined ? '' : ` (data from ${clock(view.updatedAt)})`
    parts.push(`error ${clock(view.error.at)}: ${view.error.message}${kept}`)
  } else {
    parts.push(view.updatedAt === undefined ? 'waiting for data' : clock(view.updatedAt))
  }
  parts.push(`sort ${view.sort} ${direction(view)}`)
  if (shown < total) parts.push(`${shown}/${total} rows`)
  // Short enough to survive on 80 columns next to the parts above.
  parts.push(`[wrscdblpon] sort [R]ev [tab] ${view.kind === 'containers' ? 'pods' : 'containers'} [q]uit`)
  return joinFitting(parts, width)
}

/** The screen for a view: summary, status (errors show here), header, as many rows as fit. */
export function renderScreen(view: TopView, size: ScreenSize): Screen {
  const width = Math.max(1, Math.floor(size.columns))
  const height = Math.max(0, Math.floor(size.rows))
  let lines: string[]
  let headerAt: number | undefined
  if (view.data === undefined) {
    lines = [truncateEnd('memlens top', width), statusLine(view, 0, 0, width)]
  } else {
    const t = renderTableLines(view.data, { width, sort: view.sort, reverse: view.reverse, kind: view.kind })
    const shown = t.rows.slice(0, Math.max(0, height - CHROME_LINES))
    lines = [t.summary, statusLine(view, shown.length, t.rows.length, width), t.header, ...shown]
    headerAt = 2
  }
  lines = lines.slice(0, height).map((l) => clip(l, width))
  return { lines, headerAt: headerAt !== undefined && headerAt < lines.length ? headerAt : undefined }
}

/** A screen as bytes: home, each line cleared to its end, the rest of the screen cleared. */
export function paint(screen: Screen, width: number): string {
  const body = screen.lines.map((line, i) => {
    const text = i === screen.headerAt ? ANSI.inverse + line + ANSI.reset : line
    // Erasing after a line that fills the width would erase its last character on terminals
    // that park the cursor on the last column.
    return textWidth(line) < width ? text + ANSI.clearLine : text
  })
  // No newline after the last line: on the bottom row it would scroll the screen.
  return ANSI.home + body.join('\n') + ANSI.clearBelow
}
