// The watch request, hardened for a long-running agent. It replaces the client library's Watch
// (@kubernetes/client-node 1.4.0, dist/watch.js), whose behaviour ListWatch relied on, because:
// - its line reader (readline) buffers a line without limit: a stream that never sends a
//   newline exhausts the heap in seconds. Lines here are capped (maxLineBytes); past the cap
//   the connection is dropped with a TooLargeError (the `too_large` reason) and the owner
//   relists after a backoff, since the event it could not read is lost;
// - it drops lines that are not JSON silently, so a stream of garbage looked like a healthy
//   watch: each such line is counted (`decode`), and maxGarbageLines of them in a row end the
//   watch as broken (watch_up 0, a relist after a backoff);
// - the watch request has no timeout (the 30 s AbortSignal is overwritten on the next line),
//   so a half-open connection would leave us without updates forever: we ask the server to end
//   each watch (timeoutSeconds) and abort it ourselves if it stays open well past that;
// - a request whose headers never come would block the list/watch forever: we give up on it;
// - an ERROR event other than 410 is ignored and the watch resumed at once, and a server that
//   closes every watch immediately makes the ListWatch reconnect in a tight loop: both become
//   errors, which stop the ListWatch so that the owner retries it with backoff (as client-go's
//   reflector treats a "very short watch");
// - an event without an object or metadata threw inside an async handler (an unhandled
//   rejection); such events are dropped and counted instead;
// - nothing told the owner that a watch is established, or which errors occurred: hooks do.
// The request itself goes out with the library's TLS, proxy and credentials (api-request.ts).
import { apiRequest, type Query } from './api-request.js'
import { LineSplitter } from './capped.js'
import type { KubeConfig } from './client.js'
import { field, isObject, numberField, stringField } from './guards.js'
import { DecodeError, WatchError, statusCode } from './kube-errors.js'
import type { WatchCallback, WatchTransport } from './list-watch.js'
import type { Schedule } from './schedule.js'

/** How the watch reports to its owner. */
export interface WatchHooks {
  isStopped(): boolean
  /** Server-side timeout for the next watch request, in seconds. */
  timeoutSeconds(): number
  /** The server answered 200: the watch stream is open. */
  connected(): void
  /** An object or bookmark arrived: the watch makes progress. */
  progressed(): void
  /** A failure to count and log; the watch ends with it (not called once stopped). */
  failed(er: unknown): void
  /** An event or line that could not be used; the watch goes on. */
  malformed(er: DecodeError): void
  /** 410 Gone: ListWatch relists. Returns how long to wait first (0 unless it keeps happening). */
  gone(): number
  /** A throw from inside the library's handlers. */
  unexpected(this: void, er: unknown): void
}

export interface GuardedWatchOptions {
  readonly hooks: WatchHooks
  readonly schedule: Schedule
  /** Monotonic milliseconds. */
  readonly now: () => number
  /** Longest wait for the response headers of a watch request. */
  readonly requestTimeoutMs: number
  /** How long past its server-side timeout a watch may stay open before it is presumed dead. */
  readonly graceMs: number
  /** The longest watch event (one line) read; WATCH_LIMITS. */
  readonly maxLineBytes?: number
  /** Lines in a row that are not watch events before the stream is treated as broken; WATCH_LIMITS. */
  readonly maxGarbageLines?: number
}

export const WATCH_LIMITS = Object.freeze({
  // etcd refuses an object over 1.5 MiB (--max-request-bytes), so a pod's watch event is rarely
  // over 2 MiB even as JSON; 8 MiB leaves room for escaping and still bounds the heap.
  maxLineBytes: 8 * 2 ** 20,
  // One stray line is counted and skipped; ten in a row are not a watch stream.
  maxGarbageLines: 10,
})

type EventCallback = WatchCallback
type DoneCallback = (err: unknown) => void

const DATA_PHASES: ReadonlySet<string> = new Set(['ADDED', 'MODIFIED', 'DELETED'])
const SHORT_WATCH_MS = 1000

function abortedController(): AbortController {
  const controller = new AbortController()
  controller.abort()
  return controller
}

/** Calls a library callback; its handlers are async, so a throw would be an unhandled rejection. */
function invoke(call: () => unknown, onError: (er: unknown) => void): void {
  try {
    const result = call()
    if (result instanceof Promise) result.catch(onError)
  } catch (er) {
    onError(er)
  }
}

/** The start of a line, for a log message. */
function preview(line: string): string {
  return JSON.stringify(line.length > 80 ? `${line.slice(0, 80)}...` : line)
}

export class GuardedWatch implements WatchTransport {
  /** Ends every open or pending watch request without reporting; for stop(). */
  readonly #cancels = new Set<() => void>()

  readonly #config: KubeConfig
  readonly #options: GuardedWatchOptions

  constructor(config: KubeConfig, options: GuardedWatchOptions) {
    this.#config = config
    this.#options = options
  }

  abortAll(): void {
    for (const cancel of [...this.#cancels]) cancel()
    this.#cancels.clear()
  }

  watch(path: string, queryParams: Query, callback: EventCallback, done: DoneCallback): Promise<AbortController> {
    const { hooks, schedule, now, requestTimeoutMs, graceMs } = this.#options
    // ListWatch does not check for stop() between its list and its watch.
    if (hooks.isStopped()) return Promise.resolve(abortedController())

    const timeoutSeconds = hooks.timeoutSeconds()
    const startedAt = now()
    let finished = false
    let events = 0
    let garbageInARow = 0
    let errorEvent: WatchError | undefined
    let goneDelayMs: number | undefined
    let controller: AbortController | undefined
    let cancelTimer = (): void => {}
    let cancelDone = (): void => {}
    let settle = (_c: AbortController): void => {}

    const report = (result: unknown): void => invoke(() => done(result), hooks.unexpected)

    const finish = (err: unknown): void => {
      if (finished) return
      finished = true
      cancelTimer()
      this.#cancels.delete(abort)
      controller?.abort()
      let result: unknown = err ?? null
      if (!hooks.isStopped()) {
        if (err) {
          if (statusCode(err) === 410) goneDelayMs = hooks.gone()
          else hooks.failed(err)
        } else if (errorEvent !== undefined) {
          result = errorEvent // counted when the event arrived
        } else if (goneDelayMs === undefined && events === 0 && now() - startedAt < SHORT_WATCH_MS) {
          result = new WatchError('the API server closed the watch within a second, without events')
          hooks.failed(result)
        }
      }
      if (goneDelayMs !== undefined && goneDelayMs > 0) {
        const cancel = schedule(() => {
          this.#cancels.delete(cancel)
          report(result)
        }, goneDelayMs)
        cancelDone = cancel
        this.#cancels.add(cancel)
      } else {
        report(result)
      }
    }

    // Stop: end this request quietly. ListWatch.stop() aborts the controller it knows, but it
    // does not know one whose headers are still pending.
    const abort = (): void => {
      cancelDone()
      if (!finished) {
        finished = true
        cancelTimer()
      }
      controller?.abort()
      settle(abortedController())
    }
    this.#cancels.add(abort)

    const onEvent: EventCallback = (phase, obj, watchObj) => {
      if (finished) return
      if (phase === 'ERROR') {
        const code = numberField(obj, 'code')
        if (code === 410) {
          goneDelayMs = hooks.gone()
        } else {
          errorEvent = new WatchError(`watch ERROR event: ${stringField(obj, 'message') ?? 'no message'}`, code)
          hooks.failed(errorEvent)
        }
        // The library clears its resourceVersion on 410, so ending the stream here relists.
        invoke(() => callback(phase, isObject(obj) ? obj : {}, watchObj), hooks.unexpected)
        // The server ends the stream after an ERROR event; do not rely on it.
        finish(null)
        return
      }
      const metadata = field(obj, 'metadata')
      const usable = DATA_PHASES.has(phase) ? stringField(metadata, 'name') !== undefined : phase === 'BOOKMARK' && isObject(metadata)
      if (!usable) {
        hooks.malformed(new DecodeError(`watch event ${JSON.stringify(phase)} without a usable object`))
        return
      }
      events++
      hooks.progressed()
      invoke(() => callback(phase, obj, watchObj), hooks.unexpected)
    }

    const maxGarbage = this.#options.maxGarbageLines ?? WATCH_LIMITS.maxGarbageLines
    const garbage = (what: string): void => {
      garbageInARow++
      const er = new DecodeError(`watch stream: ${what}`)
      if (garbageInARow < maxGarbage) {
        hooks.malformed(er)
        return
      }
      // Events may be among what could not be read: relist rather than resume.
      finish(
        new DecodeError(
          `${garbageInARow} lines in a row on the pod watch that are not watch events (the last: ${what}); the stream is broken`,
        ),
      )
    }
    const onLine = (line: string): void => {
      if (finished || line.trim() === '') return
      let data: unknown
      try {
        data = JSON.parse(line)
      } catch {
        garbage(`a line that is not JSON: ${preview(line)}`)
        return
      }
      const type = stringField(data, 'type')
      if (type === undefined) {
        garbage(`a line that is not a watch event: ${preview(line)}`)
        return
      }
      garbageInARow = 0
      onEvent(type, field(data, 'object'), data)
    }

    return new Promise<AbortController>((resolve) => {
      let resolved = false
      settle = (c) => {
        if (resolved) return
        resolved = true
        resolve(c)
      }
      cancelTimer = schedule(() => {
        // No response headers: abandon the request; its late answer is ignored (and aborted).
        finish(new WatchError(`no response to the watch request within ${requestTimeoutMs} ms`))
        settle(abortedController())
      }, requestTimeoutMs)

      const params = { ...queryParams, allowWatchBookmarks: true, timeoutSeconds }
      this.#open(path, params, onLine, finish).then(
        (c) => {
          if (finished || resolved) {
            // Failed before the stream opened, abandoned, or stopped: nothing to keep open.
            if (resolved) c.abort()
            settle(c)
            return
          }
          cancelTimer()
          controller = c
          hooks.connected()
          cancelTimer = schedule(
            () => {
              finish(new WatchError(`watch still open ${graceMs} ms past its ${timeoutSeconds} s timeout; presumed dead`))
              c.abort()
            },
            timeoutSeconds * 1000 + graceMs,
          )
          settle(c)
        },
        (er: unknown) => {
          // Raised before the request was sent, e.g. the token file could not be read.
          finish(er)
          settle(abortedController())
        },
      )
    })
  }

  /**
   * The request: resolves once the response headers arrived (or it failed, reported through
   * `done`); then feeds the body to `onLine` line by line until it ends, calling `done` once.
   */
  async #open(path: string, query: Query, onLine: (line: string) => void, done: DoneCallback): Promise<AbortController> {
    const controller = new AbortController()
    let doneCalled = false
    const doneOnce = (err: unknown): void => {
      if (doneCalled) return
      doneCalled = true
      controller.abort()
      done(err)
    }
    try {
      const response = await apiRequest(this.#config, { path, query: { ...query, watch: true }, signal: controller.signal })
      // Notice a peer that vanished without a FIN, as the library does.
      response.socket.setKeepAlive(true, 30_000)
      const lines = new LineSplitter(this.#options.maxLineBytes ?? WATCH_LIMITS.maxLineBytes, onLine)
      response.on('data', (chunk: Buffer) => {
        if (doneCalled) return
        try {
          lines.push(chunk)
        } catch (er) {
          // Too long a line: stop reading at once, before more of it is buffered.
          response.destroy()
          doneOnce(er)
        }
      })
      response.on('end', () => {
        if (!doneCalled) lines.end()
        doneOnce(null)
      })
      response.on('error', doneOnce)
      response.on('close', () => doneOnce(null))
    } catch (err) {
      doneOnce(err)
    }
    return controller
  }
}
