// `memlens top`: the table redrawn every interval, in the spirit of top(1) and `kubectl top`.
// On a terminal it takes the alternate screen and reads single keys; into a pipe it prints one
// plain table per interval, so `memlens top | tee log` records something readable.
// Streams, timers and the clock are parameters, so tests drive the loop with fake ones.
import type { SortKey } from '../../config.js'
import type { SnapshotJson } from '../../expose/snapshot-json.js'
import { errorCode, errorMessage } from '../../kernel/errors.js'
import { printable } from '../format.js'
import { renderTable, UNLIMITED_WIDTH, type TableKind } from '../table.js'
import { keyActions } from './keys.js'
import { paint, renderScreen, type ScreenSize, type TopView } from './screen.js'
import { ANSI, terminalSize, type TopInput, type TopOutput } from './terminal.js'

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

const defaultSetTimer: ScheduleTimer = (fn, ms) => {
  const handle = setTimeout(fn, ms)
  return () => clearTimeout(handle)
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

    const size = (): ScreenSize => terminalSize(output)

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
        // No screen to fit: names stay whole for whoever reads the log or greps it.
        output.write(renderTable(view.data, { width: UNLIMITED_WIDTH, sort: view.sort, reverse: view.reverse, kind: view.kind }) + '\n')
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
      else reject(cause instanceof Error ? cause : new Error(errorMessage(cause)))
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
