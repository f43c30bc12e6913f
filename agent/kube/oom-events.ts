// Kubernetes Events for explained OOM kills: one Event on the Pod per kill, sent in the
// background so that the collector never waits for the API server.
//
// A crash-looping container is killed again every few minutes (kubelet's restart backoff) or
// faster: one Event each would bury everything else in `kubectl describe pod`. So kills are
// coalesced per series (pod, container, cause): the first kill of a series is sent at once; the
// kills that follow within `windowMs` of the last Event are counted and sent as one Event with
// that count (firstTimestamp..lastTimestamp) when the window closes. This needs only `create`
// on events, where updating one Event's count would need `patch` too.
//
// Events wait in a bounded FIFO while the API is away: network errors, 429 and 5xx are retried
// with the capped backoff; when the queue is full the oldest Event is dropped. Any other answer
// (400, 403, 404 for a namespace gone, 422) will not change on a retry: that Event is dropped.
import type { CoreV1Event } from '@kubernetes/client-node'
import type { Logger } from 'pino'
import type { OomRecord, PodMeta } from '../model.js'
import { apiRequest } from './api-request.js'
import type { KubeConfig } from './client.js'
import { Backoff, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.js'
import { serverMessage, statusCode } from './kube-errors.js'
import type { KubeMetrics } from './kube-metrics.js'
import { eventName, oomEventBody, type EventTarget, type KillBatch } from './oom-event-body.js'
import { realSchedule, type Schedule } from './schedule.js'

export const OOM_EVENTS_DEFAULTS = Object.freeze({
  /** Kills of one series within this long of its last Event are counted into the next one. */
  windowMs: 10 * 60_000,
  /** Events waiting for the API server; beyond this the oldest is dropped. */
  maxPending: 100,
  requestTimeoutMs: 30_000,
})

export interface OomEventsOptions {
  readonly kubeConfig: KubeConfig
  readonly nodeName: string
  /** The pod index: a record's pod UID resolves to its current namespace and name. */
  readonly pod: (uid: string) => PodMeta | undefined
  readonly metrics: KubeMetrics
  readonly logger: Logger
  readonly schedule?: Schedule
  readonly random?: () => number
  readonly backoff?: Partial<BackoffOptions>
  readonly windowMs?: number
  readonly maxPending?: number
  readonly requestTimeoutMs?: number
}

export interface OomEvents {
  /** Queues the Event for a kill and returns at once. */
  report(oom: OomRecord): void
  /** Drops the timers and what is still queued. */
  stop(): void
}

interface Series {
  readonly target: EventTarget
  /** Kills since the last Event, sent when the window closes. */
  pending: KillBatch | undefined
  cancelWindow: () => void
}

/** The pod a record is about, if the API can name it. */
export function eventTarget(oom: OomRecord, pod: (uid: string) => PodMeta | undefined): EventTarget | undefined {
  const meta = oom.podUid === undefined ? undefined : pod(oom.podUid)
  if (meta !== undefined) return { namespace: meta.namespace, pod: meta.name, podUid: meta.uid, container: oom.container }
  if (oom.namespace === '' || oom.pod === '') return undefined
  return { namespace: oom.namespace, pod: oom.pod, ...(oom.podUid !== undefined ? { podUid: oom.podUid } : {}), container: oom.container }
}

/** Worth another try: the API server was unreachable, overloaded or failing. */
function transient(status: number | undefined): boolean {
  return status === undefined || status === 429 || status >= 500
}

export function startOomEvents(options: OomEventsOptions): OomEvents {
  return new OomEventQueue(options)
}

class OomEventQueue implements OomEvents {
  readonly #kubeConfig: KubeConfig
  readonly #nodeName: string
  readonly #pod: (uid: string) => PodMeta | undefined
  readonly #metrics: KubeMetrics
  readonly #logger: Logger
  readonly #schedule: Schedule
  readonly #backoff: Backoff
  readonly #windowMs: number
  readonly #maxPending: number
  readonly #requestTimeoutMs: number
  /** Bounded by the containers of this node times the causes: a series ends with a quiet window. */
  readonly #series = new Map<string, Series>()
  readonly #queue: CoreV1Event[] = []
  #seq = 0
  #sending = false
  #failures = 0
  #cancelRetry: (() => void) | undefined
  #abort: AbortController | undefined
  #stopped = false

  constructor(options: OomEventsOptions) {
    this.#kubeConfig = options.kubeConfig
    this.#nodeName = options.nodeName
    this.#pod = options.pod
    this.#metrics = options.metrics
    this.#logger = options.logger
    this.#schedule = options.schedule ?? realSchedule
    this.#backoff = new Backoff({ ...DEFAULT_BACKOFF, ...options.backoff }, options.random)
    this.#windowMs = options.windowMs ?? OOM_EVENTS_DEFAULTS.windowMs
    this.#maxPending = Math.max(1, options.maxPending ?? OOM_EVENTS_DEFAULTS.maxPending)
    this.#requestTimeoutMs = options.requestTimeoutMs ?? OOM_EVENTS_DEFAULTS.requestTimeoutMs
  }

  report(oom: OomRecord): void {
    if (this.#stopped) return
    const target = eventTarget(oom, this.#pod)
    if (target === undefined) {
      this.#logger.debug(
        { id: oom.id, podUid: oom.podUid, cause: oom.cause },
        'no Kubernetes Event for an OOM kill of a pod the API has not named',
      )
      return
    }
    const key = JSON.stringify([target.podUid ?? `${target.namespace}/${target.pod}`, target.container, oom.cause])
    const kill: KillBatch = { firstMs: oom.atMs, lastMs: oom.atMs, count: Math.max(1, oom.kills), message: oom.message }
    const series = this.#series.get(key)
    if (series !== undefined) {
      const p = series.pending
      series.pending =
        p === undefined ? kill : { firstMs: p.firstMs, lastMs: kill.lastMs, count: p.count + kill.count, message: kill.message }
      return
    }
    this.#series.set(key, { target, pending: undefined, cancelWindow: this.#openWindow(key) })
    this.#enqueue(target, kill)
  }

  stop(): void {
    if (this.#stopped) return
    this.#stopped = true
    this.#cancelRetry?.()
    this.#cancelRetry = undefined
    this.#abort?.abort()
    for (const s of this.#series.values()) s.cancelWindow()
    this.#series.clear()
    if (this.#queue.length > 0)
      this.#logger.info({ events: this.#queue.length }, 'stopping with OOM Events not yet sent to the Kubernetes API')
    this.#queue.length = 0
  }

  #openWindow(key: string): () => void {
    return this.#schedule(() => this.#closeWindow(key), this.#windowMs)
  }

  /** The window after an Event ends: send the kills counted in it, or end the series. */
  #closeWindow(key: string): void {
    const series = this.#series.get(key)
    if (series === undefined) return
    if (series.pending === undefined) {
      this.#series.delete(key)
      return
    }
    this.#enqueue(series.target, series.pending)
    series.pending = undefined
    series.cancelWindow = this.#openWindow(key)
  }

  #enqueue(target: EventTarget, batch: KillBatch): void {
    const name = eventName(target.pod, batch.firstMs, this.#seq++ % 0x10000)
    this.#queue.push(oomEventBody(target, batch, this.#nodeName, name))
    this.#trim()
    this.#pump()
  }

  #trim(): void {
    while (this.#queue.length > this.#maxPending) {
      const dropped = this.#queue.shift()
      this.#metrics.countEvent('dropped')
      this.#logger.warn(
        { namespace: dropped?.metadata?.namespace, pod: dropped?.involvedObject.name, maxPending: this.#maxPending },
        'dropped the oldest OOM Event waiting for the Kubernetes API: too many queued',
      )
    }
  }

  #pump(): void {
    if (this.#stopped || this.#sending || this.#cancelRetry !== undefined) return
    const event = this.#queue.shift()
    if (event === undefined) return
    this.#sending = true
    void this.#send(event).finally(() => {
      this.#sending = false
      this.#pump()
    })
  }

  async #send(event: CoreV1Event): Promise<void> {
    const controller = new AbortController()
    this.#abort = controller
    const cancelTimeout = this.#schedule(() => controller.abort(), this.#requestTimeoutMs)
    const namespace = event.metadata?.namespace ?? ''
    try {
      const response = await apiRequest(this.#kubeConfig, {
        method: 'POST',
        path: `/api/v1/namespaces/${encodeURIComponent(namespace)}/events`,
        body: JSON.stringify(event),
        signal: controller.signal,
      })
      // The created Event is echoed back; nothing in it is needed.
      response.resume()
      this.#sent(event)
    } catch (er) {
      if (this.#stopped) return
      const status = statusCode(er)
      // An earlier attempt did reach the server; only its answer was lost.
      if (status === 409) {
        this.#sent(event)
        return
      }
      this.#metrics.countEvent('failed')
      const details = {
        namespace,
        pod: event.involvedObject.name,
        status,
        error: controller.signal.aborted ? `no answer within ${this.#requestTimeoutMs} ms` : serverMessage(er),
      }
      if (transient(status)) {
        this.#retryLater(event, details)
        return
      }
      this.#metrics.countEvent('dropped')
      const advice = status === 403 ? ' (memlens needs create on events, apiGroups [""], in its ClusterRole)' : ''
      this.#logger.error(details, `the Kubernetes API rejected an OOM Event; dropped it${advice}`)
    } finally {
      cancelTimeout()
      this.#abort = undefined
    }
  }

  #sent(event: CoreV1Event): void {
    this.#metrics.countEvent('sent')
    this.#backoff.reset()
    if (this.#failures > 0) {
      this.#logger.info({ failures: this.#failures, queued: this.#queue.length }, 'OOM Events reach the Kubernetes API again')
      this.#failures = 0
    }
    this.#logger.debug({ namespace: event.metadata?.namespace, name: event.metadata?.name, count: event.count }, 'sent an OOM Event')
  }

  /** Puts the Event back at the head of the queue and tries again after a backoff. */
  #retryLater(event: CoreV1Event, details: Record<string, unknown>): void {
    this.#failures++
    const delayMs = this.#backoff.next()
    if (this.#failures === 1) {
      this.#logger.warn({ ...details, delayMs }, 'could not send an OOM Event to the Kubernetes API; retrying with backoff')
    } else {
      this.#logger.debug({ ...details, delayMs, failures: this.#failures }, 'could not send an OOM Event again')
    }
    this.#queue.unshift(event)
    this.#trim()
    this.#cancelRetry = this.#schedule(() => {
      this.#cancelRetry = undefined
      this.#pump()
    }, delayMs)
  }
}
