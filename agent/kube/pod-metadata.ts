// Pod metadata for this node, kept current from the API server: a ListWatch on /api/v1/pods
// with fieldSelector spec.nodeName=<node> feeds the PodIndex.
//
// The agent must serve without the API: names stay empty until the first list succeeds and
// keep their last known values while the API is away. ListWatch (list-watch.ts) stops for
// good on any error other than 410 (it relists on 410 itself, and resumes a cleanly closed
// watch from its resourceVersion); so on its error callback we start it again after a capped,
// jittered backoff. Started again, it resumes the watch from the last resourceVersion, and an
// expired one comes back as 410 and a relist.
//
// What is read from the API is bounded: the list in pages of `listPageSize` (client-go's 500)
// and at most `maxListBytes` in all, each watch event at most WATCH_LIMITS.maxLineBytes.
import type { Logger } from 'pino'
import type { Registry } from '../expose/prom.js'
import type { CgroupRef, KubeNames, OomRecord } from '../model.js'
import { apiRequest } from './api-request.js'
import { Backoff, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.js'
import { readCapped } from './capped.js'
import type { KubeConfig } from './client.js'
import { GuardedWatch } from './guarded-watch.js'
import { field, isObject, stringField, type JsonObject } from './guards.js'
import { DecodeError, accessAdvice, errorReasonFor, serverMessage, statusCode, type KubePhase } from './kube-errors.js'
import { createKubeMetrics, type KubeMetrics } from './kube-metrics.js'
import { ListWatch, type Listed } from './list-watch.js'
import { startOomEvents, type OomEvents, type OomEventsOptions } from './oom-events.js'
import { PodIndex } from './pod-index.js'
import { podRecord } from './pod-record.js'
import { realSchedule, type Schedule } from './schedule.js'
import type { ContainerMeta, MetadataSource, PodMeta } from '../model.js'

export interface PodMetadataOptions {
  readonly kubeConfig: KubeConfig
  readonly nodeName: string
  /** Where memlens_kubernetes_* are registered; never the global registry. */
  readonly registry: Registry
  readonly logger: Logger
  /** Uniform in [0, 1): backoff jitter and the spread of watch timeouts. */
  readonly random?: () => number
  readonly schedule?: Schedule
  /** Monotonic milliseconds. */
  readonly now?: () => number
  readonly backoff?: Partial<BackoffOptions>
  /** Longest wait for a whole list (every page), or for the response headers of a watch. */
  readonly requestTimeoutMs?: number
  /** Pods asked for per list request (`limit`); the API server's watch cache may ignore it. */
  readonly listPageSize?: number
  /** The most bytes of pod list read, all pages together; past it the list fails as too_large. */
  readonly maxListBytes?: number
  /** The longest watch event (one line), and how many garbage lines in a row end a watch. */
  readonly maxWatchLineBytes?: number
  readonly maxGarbageLines?: number
  /** Each watch asks the server to end it after [this, 2 × this) seconds, as client-go does. */
  readonly watchTimeoutSeconds?: number
  /** How long past that a watch may stay open before it is presumed dead and restarted. */
  readonly watchGraceMs?: number
  /** The OOM Events' coalescing window and queue bound (OOM_EVENTS_DEFAULTS). */
  readonly oomEvents?: Partial<Pick<OomEventsOptions, 'windowMs' | 'maxPending'>>
}

export interface PodMetadata extends MetadataSource {
  /** True once a list has succeeded: names are known, though perhaps not current. */
  synced(): boolean
  /** Queues a Kubernetes Event on the killed container's pod (oom-events.ts); returns at once. */
  reportOom(oom: OomRecord): void
  stop(): Promise<void>
}

export const POD_METADATA_DEFAULTS = Object.freeze({
  requestTimeoutMs: 30_000,
  watchTimeoutSeconds: 300,
  watchGraceMs: 30_000,
  listPageSize: 500,
  // A node runs at most a few hundred pods (kubelet's default is 110), at 5-60 KiB of JSON
  // each: 16 MiB is several times the largest real list, and parsing it stays well within the
  // DaemonSet's heap. A list past it is an API server (or a proxy) gone wrong.
  maxListBytes: 16 * 2 ** 20,
})

const PODS_PATH = '/api/v1/pods'

/** Starts listing and watching at once; returns without waiting for the API server. */
export function startPodMetadata(options: PodMetadataOptions): PodMetadata {
  const source = new PodMetadataWatcher(options)
  source.start()
  return source
}

class PodMetadataWatcher implements PodMetadata {
  readonly #index = new PodIndex()
  readonly #nodeName: string
  readonly #fieldSelector: string
  readonly #logger: Logger
  readonly #metrics: KubeMetrics
  readonly #backoff: Backoff
  readonly #random: () => number
  readonly #schedule: Schedule
  readonly #requestTimeoutMs: number
  readonly #watchTimeoutSeconds: number
  readonly #listPageSize: number
  readonly #maxListBytes: number
  readonly #kubeConfig: KubeConfig
  readonly #watch: GuardedWatch
  readonly #listWatch: ListWatch<JsonObject>
  readonly #oomEvents: OomEvents

  #stopped = false
  #hasSynced = false
  /** Consecutive failures other than 401/403: the first is a warning, the rest debug. */
  #failures = 0
  /** The 401/403 already logged, so it is logged once until access is restored. */
  #accessProblem: 401 | 403 | undefined
  #malformedLogged = false
  /** 410s in a row without an object or bookmark in between: from the second on, relist after a backoff. */
  #goneInARow = 0
  #cancelRetry: (() => void) | undefined
  #listAbort: AbortController | undefined
  #running: Promise<void> = Promise.resolve()

  constructor(options: PodMetadataOptions) {
    // spec.nodeName= would select the pods not scheduled anywhere.
    if (options.nodeName === '') throw new Error('pod metadata needs the node name')
    this.#nodeName = options.nodeName
    this.#fieldSelector = `spec.nodeName=${options.nodeName}`
    this.#logger = options.logger
    this.#random = options.random ?? Math.random
    this.#schedule = options.schedule ?? realSchedule
    this.#requestTimeoutMs = options.requestTimeoutMs ?? POD_METADATA_DEFAULTS.requestTimeoutMs
    this.#watchTimeoutSeconds = options.watchTimeoutSeconds ?? POD_METADATA_DEFAULTS.watchTimeoutSeconds
    this.#backoff = new Backoff({ ...DEFAULT_BACKOFF, ...options.backoff }, this.#random)
    this.#listPageSize = options.listPageSize ?? POD_METADATA_DEFAULTS.listPageSize
    this.#maxListBytes = options.maxListBytes ?? POD_METADATA_DEFAULTS.maxListBytes
    this.#metrics = createKubeMetrics(options.registry)
    this.#kubeConfig = options.kubeConfig
    this.#watch = new GuardedWatch(options.kubeConfig, {
      schedule: this.#schedule,
      now: options.now ?? (() => performance.now()),
      requestTimeoutMs: this.#requestTimeoutMs,
      graceMs: options.watchGraceMs ?? POD_METADATA_DEFAULTS.watchGraceMs,
      ...(options.maxWatchLineBytes !== undefined ? { maxLineBytes: options.maxWatchLineBytes } : {}),
      ...(options.maxGarbageLines !== undefined ? { maxGarbageLines: options.maxGarbageLines } : {}),
      hooks: {
        isStopped: () => this.#stopped,
        timeoutSeconds: () => Math.floor(this.#watchTimeoutSeconds * (1 + this.#random())),
        connected: () => this.#connected(),
        progressed: () => {
          this.#backoff.reset()
          this.#goneInARow = 0
        },
        failed: (er) => this.#failed('watch', er),
        malformed: (er) => this.#malformed(er),
        gone: () => this.#gone(),
        unexpected: (er) => this.#unexpected(er),
      },
    })
    this.#listWatch = new ListWatch<JsonObject>({
      path: PODS_PATH,
      fieldSelector: this.#fieldSelector,
      transport: this.#watch,
      list: () => this.#list(),
      upsert: (pod) => this.#upsert(pod),
      remove: (namespace, name) => this.#index.remove(`${namespace}/${name}`),
      error: () => this.#stoppedOnError(),
    })
    this.#oomEvents = startOomEvents({
      kubeConfig: options.kubeConfig,
      nodeName: options.nodeName,
      pod: (uid) => this.#index.pod(uid),
      metrics: this.#metrics,
      logger: this.#logger,
      schedule: this.#schedule,
      random: this.#random,
      ...(options.backoff !== undefined ? { backoff: options.backoff } : {}),
      requestTimeoutMs: this.#requestTimeoutMs,
      ...options.oomEvents,
    })
  }

  names(ref: CgroupRef): KubeNames {
    return this.#index.names(ref)
  }

  pod(uid: string): PodMeta | undefined {
    return this.#index.pod(uid)
  }

  container(containerId: string): ContainerMeta | undefined {
    return this.#index.container(containerId)
  }

  pods(): Iterable<PodMeta> {
    return this.#index.pods()
  }

  synced(): boolean {
    return this.#hasSynced
  }

  reportOom(oom: OomRecord): void {
    try {
      this.#oomEvents.report(oom)
    } catch (er) {
      // The collector calls this: nothing about an Event may fail a collection.
      this.#logger.error({ error: serverMessage(er), id: oom.id }, 'could not queue an OOM Event')
    }
  }

  start(): void {
    if (this.#stopped) return
    this.#running = this.#listWatch.start().catch((er: unknown) => this.#unexpected(er))
  }

  async stop(): Promise<void> {
    if (this.#stopped) return
    this.#stopped = true
    this.#oomEvents.stop()
    this.#cancelRetry?.()
    this.#cancelRetry = undefined
    this.#listAbort?.abort()
    this.#listWatch.stop()
    this.#watch.abortAll()
    await this.#running
    this.#metrics.setWatchUp(false)
  }

  async #list(): Promise<Listed<JsonObject>> {
    const controller = new AbortController()
    this.#listAbort = controller
    const cancelTimeout = this.#schedule(() => controller.abort(), this.#requestTimeoutMs)
    try {
      const items: JsonObject[] = []
      let unnamed = 0
      let bytes = 0
      let pages = 0
      let resourceVersion = ''
      let next: string | undefined
      do {
        // resourceVersion 0 is served from the API server's watch cache instead of a quorum
        // read from etcd: with an agent on every node, relists after an outage must be cheap.
        // The list may be slightly stale; the watch from its resourceVersion catches up. The
        // watch cache answers in one page whatever the limit (as client-go expects); etcd
        // pages, and a continue token carries the snapshot instead of a resourceVersion.
        const query =
          next === undefined
            ? { fieldSelector: this.#fieldSelector, resourceVersion: '0', limit: this.#listPageSize }
            : { fieldSelector: this.#fieldSelector, limit: this.#listPageSize, continue: next }
        const response = await apiRequest(this.#kubeConfig, { path: PODS_PATH, query, signal: controller.signal })
        const body = await readCapped(response, this.#maxListBytes, `the pod list of node ${this.#nodeName}`, bytes)
        bytes += body.length
        pages++
        const page: unknown = JSON.parse(body.toString('utf8'))
        const pageItems = field(page, 'items')
        if (!Array.isArray(pageItems)) throw new DecodeError('pod list without items')
        // Keyed by metadata.name: an item without one cannot be tracked.
        for (const item of pageItems) {
          if (isObject(item) && typeof stringField(field(item, 'metadata'), 'name') === 'string') items.push(item)
          else unnamed++
        }
        const metadata = field(page, 'metadata')
        resourceVersion = stringField(metadata, 'resourceVersion') ?? ''
        next = stringField(metadata, 'continue') || undefined
      } while (next !== undefined)
      if (unnamed > 0) this.#malformed(new DecodeError(`${unnamed} pods in the list without metadata.name`))
      this.#hasSynced = true
      this.#backoff.reset()
      this.#recovered()
      this.#logger.debug({ pods: items.length, pages, bytes, resourceVersion }, 'listed pods')
      return { resourceVersion, items }
    } catch (er) {
      if (!this.#stopped) {
        this.#failed('list', controller.signal.aborted ? new Error(`no response to the pod list within ${this.#requestTimeoutMs} ms`) : er)
      }
      throw er
    } finally {
      cancelTimeout()
      this.#listAbort = undefined
    }
  }

  #upsert(pod: JsonObject): void {
    const record = podRecord(pod)
    if (record !== undefined) {
      this.#index.upsert(record)
      return
    }
    // Whatever the index knew under this name no longer describes the object.
    const metadata = field(pod, 'metadata')
    const key = `${stringField(metadata, 'namespace') ?? ''}/${stringField(metadata, 'name') ?? ''}`
    this.#index.remove(key)
    this.#malformed(new DecodeError(`pod ${key} without uid, namespace or name`))
  }

  #connected(): void {
    // Each connection logs its first unusable object or line at warn.
    this.#malformedLogged = false
    this.#metrics.setWatchUp(true)
    this.#recovered()
  }

  #recovered(): void {
    if (this.#accessProblem !== undefined) {
      this.#logger.info({ status: this.#accessProblem }, 'Kubernetes API access restored')
      this.#accessProblem = undefined
    }
    if (this.#failures > 0) {
      this.#logger.info({ failures: this.#failures }, 'Kubernetes API reachable again')
      this.#failures = 0
    }
  }

  #failed(phase: KubePhase, er: unknown): void {
    this.#metrics.countError(errorReasonFor(phase, er))
    this.#metrics.setWatchUp(false)
    const status = statusCode(er)
    if (status === 401 || status === 403) {
      if (this.#accessProblem !== status) {
        this.#accessProblem = status
        this.#logger.error({ phase, status, serverMessage: serverMessage(er) }, accessAdvice(status, this.#nodeName))
      }
      return
    }
    this.#failures++
    const details = { phase, status, error: serverMessage(er), failures: this.#failures }
    if (this.#failures === 1) {
      this.#logger.warn(details, 'Kubernetes API request failed; retrying with backoff, pod names keep their last known values')
    } else {
      this.#logger.debug(details, 'Kubernetes API request failed again')
    }
  }

  #malformed(er: DecodeError): void {
    this.#metrics.countError('decode')
    const details = { error: er.message }
    if (this.#malformedLogged) {
      this.#logger.debug(details, 'ignored a Kubernetes object memlens could not use')
    } else {
      this.#malformedLogged = true
      this.#logger.warn(details, 'ignored a Kubernetes object memlens could not use (further ones are logged at debug)')
    }
  }

  #gone(): number {
    this.#metrics.countError('gone')
    this.#goneInARow++
    this.#logger.info({ inARow: this.#goneInARow }, 'pod watch history expired (410 Gone); relisting')
    // A server that answers every fresh watch with 410 would otherwise be relisted in a loop.
    return this.#goneInARow > 1 ? this.#backoff.next() : 0
  }

  #unexpected(er: unknown): void {
    if (this.#stopped) return
    this.#logger.error({ error: serverMessage(er) }, 'unexpected failure in the pod watch; restarting it')
    this.#metrics.countError('watch')
    // Stop whatever is left of it, so that the restart does not race a live watch.
    this.#listWatch.stop()
    this.#stoppedOnError()
  }

  /** The ListWatch has stopped for good after an error: start it again after a backoff. */
  #stoppedOnError(): void {
    this.#metrics.setWatchUp(false)
    if (this.#stopped || this.#cancelRetry !== undefined) return
    const delayMs = this.#backoff.next()
    this.#logger.debug({ delayMs }, 'retrying the pod list/watch')
    this.#cancelRetry = this.#schedule(() => {
      this.#cancelRetry = undefined
      this.start()
    }, delayMs)
  }
}
