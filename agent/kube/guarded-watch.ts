// The client library's Watch, hardened for a long-running agent. ListWatch drives it; we sit
// between the two because, as of @kubernetes/client-node 1.4.0 (dist/watch.js, dist/cache.js):
// - the watch request has no timeout (the 30 s AbortSignal is overwritten on the next line),
//   so a half-open connection would leave us without updates forever: we ask the server to end
//   each watch (timeoutSeconds) and abort it ourselves if it stays open well past that;
// - a request whose headers never come blocks ListWatch.start() forever: we give up on it;
// - an ERROR event other than 410 is ignored and the watch resumed at once, and a server that
//   closes every watch immediately makes ListWatch reconnect in a tight loop: both become
//   errors, which stop the ListWatch so that the owner retries it with backoff (as client-go's
//   reflector treats a "very short watch");
// - an event without an object or metadata throws inside an async handler (an unhandled
//   rejection); such events are dropped and counted instead;
// - nothing tells the owner that a watch is established, or which errors occurred: hooks do.
import { Watch, type KubeConfig } from '@kubernetes/client-node'
import { field, isObject, numberField, stringField } from './guards.js'
import { DecodeError, WatchError, statusCode } from './kube-errors.js'
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
  /** An event that could not be used; the watch goes on. */
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
}

type EventCallback = (phase: string, apiObj: unknown, watchObj?: unknown) => void
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

export class GuardedWatch extends Watch {
  /** Ends every open or pending watch request without reporting; for stop(). */
  readonly #cancels = new Set<() => void>()

  readonly #options: GuardedWatchOptions

  constructor(config: KubeConfig, options: GuardedWatchOptions) {
    super(config)
    this.#options = options
  }

  abortAll(): void {
    for (const cancel of [...this.#cancels]) cancel()
    this.#cancels.clear()
  }

  override watch(
    path: string,
    queryParams: Record<string, string | number | boolean | undefined>,
    callback: EventCallback,
    done: DoneCallback,
  ): Promise<AbortController> {
    const { hooks, schedule, now, requestTimeoutMs, graceMs } = this.#options
    // ListWatch does not check for stop() between its list and its watch.
    if (hooks.isStopped()) return Promise.resolve(abortedController())

    const timeoutSeconds = hooks.timeoutSeconds()
    const startedAt = now()
    let finished = false
    let events = 0
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
      super.watch(path, params, onEvent, finish).then(
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
          cancelTimer = schedule(() => {
            finish(new WatchError(`watch still open ${graceMs} ms past its ${timeoutSeconds} s timeout; presumed dead`))
            c.abort()
          }, timeoutSeconds * 1000 + graceMs)
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
}
