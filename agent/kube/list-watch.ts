// List, then watch from the list's resourceVersion; relist when the history expired. This is
// the library's ListWatch (client-node 1.4.0, dist/cache.js) cut to what memlens uses, for two
// reasons: that module loads every generated model (~40 MB of resident memory) for the one
// selector it serializes, and it keeps every pod object as the server sent it, where memlens
// keeps a few names per pod (PodIndex). Here only each object's resourceVersion is kept.
//
// Semantics kept from the library: an error other than 410 stops it and is reported to the
// owner (who starts it again after a backoff); 410 relists; a watch that ends cleanly resumes
// from the last resourceVersion seen (an object's or a bookmark's). Added: a watch that lost
// events (a line too long, garbage in the stream) relists when started again.
import { TooLargeError } from './capped.js'
import { field, isObject, numberField, stringField } from './guards.js'
import { DecodeError, statusCode } from './kube-errors.js'

export interface Listed<T> {
  readonly resourceVersion: string
  readonly items: readonly T[]
}

export type WatchCallback = (phase: string, obj: unknown, watchObj?: unknown) => void

/** What GuardedWatch provides: the watch request, and a done callback that fires once. */
export interface WatchTransport {
  watch(path: string, query: Record<string, string>, callback: WatchCallback, done: (err: unknown) => void): Promise<AbortController>
}

export interface ListWatchOptions<T> {
  readonly path: string
  readonly fieldSelector: string
  readonly transport: WatchTransport
  readonly list: () => Promise<Listed<T>>
  /** An object new or changed (by resourceVersion). */
  readonly upsert: (obj: T | Readonly<Record<string, unknown>>) => void
  /** An object gone: from a DELETED event, or missing from a relist. */
  readonly remove: (namespace: string, name: string) => void
  /** The list or watch failed; the ListWatch has stopped. */
  readonly error: (err: unknown) => void
}

interface Meta {
  readonly namespace: string
  readonly name: string
  readonly resourceVersion: string | undefined
}

function metaOf(obj: unknown): Meta {
  const metadata = field(obj, 'metadata')
  return {
    namespace: stringField(metadata, 'namespace') ?? '',
    name: stringField(metadata, 'name') ?? '',
    resourceVersion: stringField(metadata, 'resourceVersion'),
  }
}

/** The watch was cut where events may have been lost: its resourceVersion cannot be trusted. */
function lostEvents(err: unknown): boolean {
  return err instanceof TooLargeError || err instanceof DecodeError
}

export class ListWatch<T> {
  readonly #options: ListWatchOptions<T>
  /** namespace/name → resourceVersion of every object listed or watched. */
  readonly #versions = new Map<string, string | undefined>()
  #resourceVersion = ''
  #request: AbortController | undefined
  #stopped = false
  /** Bumped by start() and stop(): a list or watch of an earlier run reports to nobody. */
  #run = 0
  /** Watch requests made: only the latest one's controller is kept. */
  #watches = 0

  constructor(options: ListWatchOptions<T>) {
    this.#options = options
  }

  async start(): Promise<void> {
    this.#stopped = false
    await this.#done(null, ++this.#run)
  }

  stop(): void {
    this.#stopped = true
    this.#run++
    this.#abort()
  }

  #abort(): void {
    this.#request?.abort()
    this.#request = undefined
  }

  async #done(err: unknown, run: number): Promise<void> {
    if (run !== this.#run) {
      // The end of a watch stop() aborted: stop() was the owner's own doing.
      return
    }
    this.#abort()
    if (err) {
      if (statusCode(err) === 410 || lostEvents(err)) this.#resourceVersion = ''
      if (statusCode(err) !== 410) {
        this.#options.error(err)
        return
      }
    }
    if (this.#stopped) return
    if (this.#resourceVersion === '') {
      let listed: Listed<T>
      try {
        listed = await this.#options.list()
      } catch (er) {
        if (run === this.#run) this.#options.error(er)
        return
      }
      if (this.#stopped || run !== this.#run) return
      this.#replace(listed.items)
      this.#resourceVersion = listed.resourceVersion
    }
    const query = { resourceVersion: this.#resourceVersion, fieldSelector: this.#options.fieldSelector }
    const watch = ++this.#watches
    const request = await this.#options.transport.watch(
      this.#options.path,
      query,
      (phase, obj) => {
        if (run === this.#run) this.#event(phase, obj)
      },
      (er) => void this.#done(er, run),
    )
    if (run !== this.#run) request.abort()
    // Unless a watch that failed before its headers came has already been followed by the next.
    else if (watch === this.#watches) this.#request = request
  }

  #replace(items: readonly T[]): void {
    const listed = new Set<string>()
    for (const item of items) {
      const meta = metaOf(item)
      listed.add(`${meta.namespace}/${meta.name}`)
    }
    for (const key of [...this.#versions.keys()]) {
      if (listed.has(key)) continue
      this.#versions.delete(key)
      const slash = key.indexOf('/')
      this.#options.remove(key.slice(0, slash), key.slice(slash + 1))
    }
    for (const item of items) this.#upsert(item)
  }

  #upsert(obj: T | Readonly<Record<string, unknown>>): void {
    const meta = metaOf(obj)
    const key = `${meta.namespace}/${meta.name}`
    const known = this.#versions.get(key)
    if (this.#versions.has(key) && known !== undefined && known === meta.resourceVersion) return
    this.#versions.set(key, meta.resourceVersion)
    this.#options.upsert(obj)
  }

  #event(phase: string, obj: unknown): void {
    if (!isObject(obj)) return
    switch (phase) {
      case 'ERROR':
        if (numberField(obj, 'code') === 410) this.#resourceVersion = ''
        // The watch ends after an ERROR event: done() decides what follows.
        return
      case 'ADDED':
      case 'MODIFIED':
        this.#upsert(obj)
        break
      case 'DELETED': {
        const meta = metaOf(obj)
        const key = `${meta.namespace}/${meta.name}`
        if (this.#versions.delete(key)) this.#options.remove(meta.namespace, meta.name)
        break
      }
      default:
        break
    }
    this.#resourceVersion = metaOf(obj).resourceVersion ?? ''
  }
}
