// `memlens top`: the table redrawn every interval, in the spirit of top(1) and `kubectl top`.
// On a terminal it takes the alternate screen and reads single keys; into a pipe it prints one
// plain table per interval, so `memlens top | tee log` records something readable.
// Streams, timers and the clock are parameters, so tests drive the loop with fake ones.
import type { SnapshotJson } from '../../expose/snapshot-json.js'
import { errorCode, errorMessage } from '../../kernel/errors.js'
import { clip, joinFitting, printable, textWidth, truncateEnd } from '../format.js'
import { renderTable, renderTableLines, type SortKey, type TableKind } from '../table.js'

/** What runTop needs of stdin: process.stdin fits, as does a PassThrough in tests. */
export interface TopInput {
  readonly isTTY?: boolean
  setRawMode?(mode: boolean): unknown
  on(event: 'data', listener: (chunk: Buffer | string) => void): unknown
  off(event: 'data', listener: (chunk: Buffer | string) => void): unknown
  pause?(): unknown
}

/** What runTop needs of stdout: process.stdout fits, as does a PassThrough in tests. */
export interface TopOutput {
  readonly isTTY?: boolean
  readonly columns?: number
  readonly rows?: number
  write(chunk: string): unknown
  on(event: 'resize', listener: () => void): unknown
  on(event: 'error', listener: (er: Error) => void): unknown
  off(event: 'resize', listener: () => void): unknown
  off(event: 'error', listener: (er: Error) => void): unknown
}

/** Schedules fn once after ms; returns a function that cancels it. */
export type ScheduleTimer = (fn: () => void, ms: number) => () => void

export interface TopOptions {
  readonly fetch: () => Promise<SnapshotJson>
  /** Pause between the end of one fetch and the start of the next. */
  readonly intervalMs: number
  readonly input: TopInput
  readonly output: TopOutput
  readonly sort: SortKey
  readonly reverse?: boolean
  readonly kind?: TableKind
  /** Aborting ends the view like 'q' does (the caller wires SIGINT/SIGTERM to it). */
  readonly signal?: AbortSignal
  readonly now?: () => Date
  readonly setTimer?: ScheduleTimer
}

const DEFAULT_COLUMNS = 80
const DEFAULT_ROWS = 24
/** Lines above the table rows on screen: summary, status, header. */
const CHROME_LINES = 3

const ESC = '\u001b['
export const ANSI = {
  enterAltScreen: `${ESC}?1049h`,
  leaveAltScreen: `${ESC}?1049l`,
  hideCursor: `${ESC}?25l`,
  showCursor: `${ESC}?25h`,
  home: `${ESC}H`,
  clearLine: `${ESC}K`,
  clearBelow: `${ESC}J`,
  inverse: `${ESC}7m`,
  reset: `${ESC}0m`,
} as const

const SORT_BY_KEY: ReadonlyMap<string, SortKey> = new Map<string, SortKey>([
  ['w', 'wset'],
  ['r', 'rss'],
  ['c', 'cache'],
  ['d', 'dirty'],
  ['b', 'writeback'],
  ['l', 'limit'],
  ['p', 'pct'],
  ['n', 'name'],
])

export type KeyAction =
  | { readonly type: 'sort'; readonly sort: SortKey }
  | { readonly type: 'reverse' }
  | { readonly type: 'kind' }
  | { readonly type: 'quit' }

/** The actions in one chunk of keyboard input; unknown keys are ignored. */
export function keyActions(text: string): KeyAction[] {
  const actions: KeyAction[] = []
  for (const ch of text) {
    // An escape sequence (arrows, F-keys: '\x1b[A', '\x1bOR') arrives as one chunk; its
    // letters are not commands.
    if (ch === '\u001b') break
    const sort = SORT_BY_KEY.get(ch)
    if (sort !== undefined) actions.push({ type: 'sort', sort })
    else if (ch === 'R') actions.push({ type: 'reverse' })
    else if (ch === '\t') actions.push({ type: 'kind' })
    else if (ch === 'q' || ch === '\u0003') actions.push({ type: 'quit' })
  }
  return actions
}

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
  parts.push(`[wrcdblpn] sort [R]ev [tab] ${view.kind === 'containers' ? 'pods' : 'containers'} [q]uit`)
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
function paint(screen: Screen, width: number): string {
  const body = screen.lines.map((line, i) => {
    const text = i === screen.headerAt ? ANSI.inverse + line + ANSI.reset : line
    // Erasing after a line that fills the width would erase its last character on terminals
    // that park the cursor on the last column.
    return textWidth(line) < width ? text + ANSI.clearLine : text
  })
  // No newline after the last line: on the bottom row it would scroll the screen.
  return ANSI.home + body.join('\n') + ANSI.clearBelow
}

const defaultSetTimer: ScheduleTimer = (fn, ms) => {
  const handle = setTimeout(fn, ms)
  return () => clearTimeout(handle)
}

function positive(n: number | undefined, fallback: number): number {
  return n !== undefined && Number.isFinite(n) && n > 0 ? Math.floor(n) : fallback
}

/**
 * Runs until 'q', Ctrl-C (raw mode), the signal, or the output closing (EPIPE). Fetch errors
 * never end it: they show in the status line and the last good data stays on screen.
 * Rejects only when drawing itself fails, after putting the terminal back.
 */
export function runTop(opts: TopOptions): Promise<void> {
  const { input, output, signal } = opts
  if (signal?.aborted === true) return Promise.resolve()
  const now = opts.now ?? (() => new Date())
  const setTimer = opts.setTimer ?? defaultSetTimer
  // A screen to redraw only on a terminal; in a pipe, top(1)'s batch mode.
  const interactive = output.isTTY === true
  // Raw mode only for the full-screen view: with output in a pipe, Ctrl-C should stay SIGINT
  // and 'q' works line-buffered (q, Enter).
  const raw = interactive && input.isTTY === true && input.setRawMode !== undefined
  const view: TopView = {
    sort: opts.sort,
    reverse: opts.reverse ?? false,
    kind: opts.kind ?? 'containers',
    data: undefined,
    updatedAt: undefined,
    error: undefined,
  }

  return new Promise<void>((resolve, reject) => {
    let finished = false
    let cancelTimer: (() => void) | undefined
    let rawSet = false

    const size = (): ScreenSize => ({
      columns: positive(output.columns, DEFAULT_COLUMNS),
      rows: positive(output.rows, DEFAULT_ROWS),
    })

    const draw = (): void => {
      if (!interactive) return
      const s = size()
      output.write(paint(renderScreen(view, s), s.columns))
    }

    // Batch mode prints what each fetch brought: a table, or the error that replaced it.
    const print = (): void => {
      if (view.error !== undefined) {
        output.write(`error: ${view.error.message}\n\n`)
      } else if (view.data !== undefined) {
        const width = positive(output.columns, DEFAULT_COLUMNS)
        output.write(renderTable(view.data, { width, sort: view.sort, reverse: view.reverse, kind: view.kind }) + '\n')
      }
    }

    const tick = (): void => {
      cancelTimer = undefined
      Promise.resolve()
        .then(() => opts.fetch())
        .then(
          (snapshot) => {
            view.data = snapshot
            view.updatedAt = now()
            view.error = undefined
          },
          (er: unknown) => {
            view.error = { message: printable(errorMessage(er).replace(/\s+/g, ' ')), at: now() }
          },
        )
        .then(() => {
          // A fetch that ends after 'q' must not draw over the restored terminal.
          if (finished) return
          if (interactive) draw()
          else print()
          cancelTimer = setTimer(tick, opts.intervalMs)
        })
        .catch(finish)
    }

    const onData = (chunk: Buffer | string): void => {
      guard(() => {
        let changed = false
        for (const action of keyActions(typeof chunk === 'string' ? chunk : chunk.toString('utf8'))) {
          if (action.type === 'quit') return finish()
          if (action.type === 'sort') {
            view.sort = action.sort
            view.reverse = false
          } else if (action.type === 'reverse') {
            view.reverse = !view.reverse
          } else {
            view.kind = view.kind === 'containers' ? 'pods' : 'containers'
          }
          changed = true
        }
        if (changed) draw()
      })
    }
    const onResize = (): void => guard(draw)
    const onOutputError = (er: Error): void => {
      // The reader went away (`memlens top | head`): an ordinary way for a pipe to end.
      finish(errorCode(er) === 'EPIPE' ? undefined : er)
    }
    const onAbort = (): void => finish()

    function guard(fn: () => void): void {
      try {
        fn()
      } catch (er) {
        finish(er)
      }
    }

    // Every step runs even if an earlier one throws: the terminal must come back out of raw
    // mode and the alternate screen whatever went wrong.
    function restore(): unknown {
      let failure: unknown
      const step = (fn: () => void): void => {
        try {
          fn()
        } catch (er) {
          failure ??= er
        }
      }
      step(() => cancelTimer?.())
      step(() => {
        if (rawSet) input.setRawMode?.(false)
      })
      step(() => input.off('data', onData))
      // Listening put stdin into flowing mode; unless paused again it keeps the process alive.
      step(() => input.pause?.())
      step(() => output.off('resize', onResize))
      step(() => signal?.removeEventListener('abort', onAbort))
      step(() => {
        if (interactive) output.write(ANSI.reset + ANSI.showCursor + ANSI.leaveAltScreen)
      })
      // A later error belongs to whoever writes to the stream next.
      step(() => output.off('error', onOutputError))
      return failure
    }

    function finish(er?: unknown): void {
      if (finished) return
      finished = true
      const failure = restore()
      const cause = er ?? failure
      if (cause === undefined) resolve()
      else reject(cause instanceof Error ? cause : new Error(String(cause)))
    }

    try {
      signal?.addEventListener('abort', onAbort, { once: true })
      output.on('error', onOutputError)
      output.on('resize', onResize)
      input.on('data', onData)
      if (raw) {
        input.setRawMode?.(true)
        rawSet = true
      }
      if (interactive) {
        output.write(ANSI.enterAltScreen + ANSI.hideCursor)
        draw()
      }
      tick()
    } catch (er) {
      finish(er)
    }
  })
}
