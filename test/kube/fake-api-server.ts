// A local HTTP server speaking the API server's list/watch protocol for pods, with fault
// injection. Not a mock of the client: the real @kubernetes/client-node talks to it.
//
// GET /api/v1/pods?fieldSelector=spec.nodeName=X      → PodList with metadata.resourceVersion;
//   with `paginate`, `limit` pages it and metadata.continue leads to the next page, as etcd does
//   (the watch cache, resourceVersion=0, ignores limit: the default here)
// GET /api/v1/pods?watch=true&resourceVersion=N&...   → 200, chunked, one JSON watch event per
//   line: ADDED/MODIFIED/DELETED replayed from N then live, BOOKMARK when allowWatchBookmarks,
//   ERROR with a 410 Status when N is older than the compacted history; ends after timeoutSeconds.
// POST /api/v1/namespaces/NS/events                   → 201 and the Event recorded, after the
//   checks the API server makes of a core/v1 Event (namespace, MicroTime, reporting fields);
//   409 for a name that exists.
import http from 'node:http'
import type { Socket } from 'node:net'
import { field, isObject, stringField } from '../../agent/kube/guards.js'

export type Json = Record<string, unknown>

export interface RecordedRequest {
  readonly method: string
  readonly path: string
  readonly query: URLSearchParams
  readonly watch: boolean
}

/** A one-shot answer to the next list, watch or event request instead of the normal one. */
export type Fault =
  /** An error Status with this code, or with 200 this body verbatim. */
  | { readonly status: number; readonly message?: string; readonly body?: Json }
  /** Accept the request and never answer it. */
  | 'hang'
  /** Reset the connection without an answer. */
  | 'reset'

interface Watcher {
  readonly res: http.ServerResponse
  readonly node: string | undefined
  readonly bookmarks: boolean
}

interface Event {
  readonly rv: number
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED'
  readonly object: Json
}

function status(code: number, reason: string, message: string): Json {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code }
}

const REASONS: Readonly<Record<number, string>> = {
  401: 'Unauthorized',
  403: 'Forbidden',
  410: 'Expired',
  500: 'InternalError',
}

function nodeOf(pod: Json): string | undefined {
  return stringField(field(pod, 'spec'), 'nodeName')
}

function keyOf(pod: Json): string {
  const meta = field(pod, 'metadata')
  return `${stringField(meta, 'namespace')}/${stringField(meta, 'name')}`
}

function portOf(server: http.Server): number {
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('not listening on TCP')
  return address.port
}

export class FakeApiServer {
  readonly requests: RecordedRequest[] = []
  /** Appended verbatim to every list response: for objects the store could not hold. */
  readonly extraListItems: Json[] = []
  /** Honour `limit` and `continue` on lists, as an API server without a watch cache does. */
  paginate = false
  /** Send lists chunked, without a Content-Length: the client learns their size as it reads. */
  chunkedLists = false
  readonly #server: http.Server
  readonly #sockets = new Set<Socket>()
  readonly #watchers = new Set<Watcher>()
  readonly #pods = new Map<string, Json>()
  readonly #history: Event[] = []
  /** Events created, in order, as stored. */
  readonly events: Json[] = []
  readonly #faults: { list: Fault[]; watch: Fault[]; event: Fault[] } = { list: [], watch: [], event: [] }
  #rv = 1000
  #compactedRv = 0
  #denied: 401 | 403 | undefined
  #port = 0

  constructor() {
    this.#server = http.createServer((req, res) => this.#handle(req, res))
    this.#server.on('connection', (socket) => {
      this.#sockets.add(socket)
      socket.on('close', () => this.#sockets.delete(socket))
    })
  }

  /** A port nothing listens on (yet): for "API server down at start". */
  static async freePort(): Promise<number> {
    const probe = http.createServer()
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
    const port = portOf(probe)
    await new Promise<void>((resolve) => probe.close(() => resolve()))
    return port
  }

  static async start(): Promise<FakeApiServer> {
    const server = new FakeApiServer()
    await server.listen(0)
    return server
  }

  get url(): string {
    return `http://127.0.0.1:${this.#port}`
  }

  get openWatches(): number {
    return this.#watchers.size
  }

  async listen(port: number): Promise<void> {
    await new Promise<void>((resolve) => this.#server.listen(port, '127.0.0.1', resolve))
    this.#port = portOf(this.#server)
  }

  async close(): Promise<void> {
    for (const w of this.#watchers) w.res.destroy()
    this.#watchers.clear()
    for (const s of this.#sockets) s.destroy()
    if (!this.#server.listening) return
    await new Promise<void>((resolve) => this.#server.close(() => resolve()))
  }

  // ---- state -------------------------------------------------------------------------------

  get resourceVersion(): number {
    return this.#rv
  }

  add(pod: Json): void {
    this.#record('ADDED', pod)
  }

  modify(pod: Json): void {
    this.#record('MODIFIED', pod)
  }

  remove(pod: Json): void {
    this.#record('DELETED', pod)
  }

  /** Changes the store without any watcher seeing it: as if it happened while disconnected. */
  addSilently(pod: Json): void {
    this.#record('ADDED', pod, false)
  }

  removeSilently(pod: Json): void {
    this.#record('DELETED', pod, false)
  }

  bookmark(): void {
    const object = { kind: 'Pod', apiVersion: 'v1', metadata: { resourceVersion: String(this.#rv) } }
    for (const w of this.#watchers) if (w.bookmarks) this.#send(w, 'BOOKMARK', object)
  }

  /** Forgets history up to now: watches from an older resourceVersion get 410. */
  compact(): void {
    this.#compactedRv = this.#rv
    this.#history.length = 0
  }

  // ---- faults ------------------------------------------------------------------------------

  failNext(kind: 'list' | 'watch' | 'event', ...faults: Fault[]): void {
    this.#faults[kind].push(...faults)
  }

  /** Answers every request with 401 or 403 until called with undefined. */
  deny(code: 401 | 403 | undefined): void {
    this.#denied = code
  }

  /** Sends an ERROR event with a 410 Status to every open watch and ends it, as etcd compaction does. */
  expireWatches(): void {
    this.compact()
    for (const w of this.#watchers) {
      this.#send(w, 'ERROR', status(410, 'Expired', 'too old resource version'))
      w.res.end()
    }
    this.#watchers.clear()
  }

  /** Sends an ERROR event with another status and ends the watch. */
  errorWatches(code: number): void {
    for (const w of this.#watchers) {
      this.#send(w, 'ERROR', status(code, REASONS[code] ?? 'Unknown', `injected error ${code}`))
      w.res.end()
    }
    this.#watchers.clear()
  }

  /** Ends every watch cleanly, as the API server does at timeoutSeconds. */
  endWatches(): void {
    for (const w of this.#watchers) w.res.end()
    this.#watchers.clear()
  }

  /** Kills the connections of every open watch mid-stream. */
  dropWatches(): void {
    for (const w of this.#watchers) w.res.socket?.destroy()
    this.#watchers.clear()
  }

  /**
   * Streams bytes without a newline to every open watch until the client hangs up (or `maxBytes`
   * went out); resolves with the bytes written to each.
   */
  async streamWithoutNewline(maxBytes = 1024 * 2 ** 20): Promise<number[]> {
    const chunk = Buffer.alloc(64 * 1024, 'x')
    const one = async (res: http.ServerResponse): Promise<number> => {
      let written = 0
      while (written < maxBytes && !res.destroyed && !res.writableEnded) {
        written += chunk.length
        if (!res.write(chunk)) {
          await new Promise<void>((resolve) => {
            res.once('drain', resolve)
            res.once('close', resolve)
          })
        }
      }
      return written
    }
    return Promise.all([...this.#watchers].map((w) => one(w.res)))
  }

  /** Writes a line that is not a watch event to every open watch. */
  sendRaw(line: string): void {
    for (const w of this.#watchers) w.res.write(line + '\n')
  }

  // ---- protocol ----------------------------------------------------------------------------

  #record(type: Event['type'], pod: Json, notify = true): void {
    this.#rv++
    const meta = { ...(isObject(pod['metadata']) ? pod['metadata'] : {}), resourceVersion: String(this.#rv) }
    const object = { kind: 'Pod', apiVersion: 'v1', ...pod, metadata: meta }
    if (type === 'DELETED') this.#pods.delete(keyOf(object))
    else this.#pods.set(keyOf(object), object)
    const event = { rv: this.#rv, type, object }
    this.#history.push(event)
    if (!notify) return
    for (const w of this.#watchers) if (this.#matches(w.node, object)) this.#send(w, type, object)
  }

  #matches(node: string | undefined, pod: Json): boolean {
    return node === undefined || nodeOf(pod) === node
  }

  #send(w: Watcher, type: string, object: Json): void {
    w.res.write(JSON.stringify({ type, object }) + '\n')
  }

  #createEvent(namespace: string, text: string, req: http.IncomingMessage, reply: (code: number, body: Json) => void): void {
    if (this.#denied !== undefined) {
      const message = `events is forbidden: User "system:serviceaccount:memlens:memlens" cannot create resource "events" in API group "" in the namespace "${namespace}"`
      reply(this.#denied, status(this.#denied, REASONS[this.#denied] ?? 'Unknown', message))
      return
    }
    const fault = this.#faults.event.shift()
    if (fault === 'hang') return
    if (fault === 'reset') {
      req.socket.destroy()
      return
    }
    if (fault !== undefined) {
      reply(
        fault.status,
        fault.body ?? status(fault.status, REASONS[fault.status] ?? 'Unknown', fault.message ?? `injected ${fault.status}`),
      )
      return
    }
    let event: unknown
    try {
      event = JSON.parse(text)
    } catch {
      reply(400, status(400, 'BadRequest', 'the body is not JSON'))
      return
    }
    const invalid = eventProblem(namespace, event)
    if (invalid !== undefined) {
      reply(invalid.code, status(invalid.code, invalid.code === 400 ? 'BadRequest' : 'Invalid', invalid.message))
      return
    }
    const meta = field(event, 'metadata')
    const name = stringField(meta, 'name') ?? ''
    if (
      this.events.some(
        (e) => stringField(field(e, 'metadata'), 'namespace') === namespace && stringField(field(e, 'metadata'), 'name') === name,
      )
    ) {
      reply(409, status(409, 'AlreadyExists', `events "${name}" already exists`))
      return
    }
    this.#rv++
    const stored = {
      ...(isObject(event) ? event : {}),
      metadata: { ...(isObject(meta) ? meta : {}), namespace, resourceVersion: String(this.#rv) },
    }
    this.events.push(stored)
    reply(201, stored)
  }

  #handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://fake')
    const watch = url.searchParams.get('watch') === 'true'
    this.requests.push({ method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, watch })

    const reply = (code: number, body: Json): void => {
      res.writeHead(code, { 'content-type': 'application/json' })
      res.end(JSON.stringify(body))
    }
    const eventsIn = /^\/api\/v1\/namespaces\/([^/]+)\/events$/.exec(url.pathname)?.[1]
    if (req.method === 'POST' && eventsIn !== undefined) {
      const chunks: Buffer[] = []
      req.on('data', (chunk: Buffer) => chunks.push(chunk))
      req.on('end', () => this.#createEvent(eventsIn, Buffer.concat(chunks).toString(), req, reply))
      return
    }
    if (req.method !== 'GET' || url.pathname !== '/api/v1/pods') {
      reply(404, status(404, 'NotFound', `the server could not find ${url.pathname}`))
      return
    }
    const verb = watch ? 'watch' : 'list'
    if (this.#denied === 401) {
      reply(401, status(401, 'Unauthorized', 'Unauthorized'))
      return
    }
    if (this.#denied === 403) {
      const message = `pods is forbidden: User "system:serviceaccount:memlens:memlens" cannot ${verb} resource "pods" in API group "" at the cluster scope`
      reply(403, status(403, 'Forbidden', message))
      return
    }
    const fault = this.#faults[verb].shift()
    if (fault === 'hang') return
    if (fault === 'reset') {
      req.socket.destroy()
      return
    }
    if (fault !== undefined) {
      if (fault.body !== undefined) {
        reply(fault.status, fault.body)
        return
      }
      reply(fault.status, status(fault.status, REASONS[fault.status] ?? 'Unknown', fault.message ?? `injected ${fault.status}`))
      return
    }

    const selector = url.searchParams.get('fieldSelector') ?? ''
    let node: string | undefined
    if (selector !== '') {
      const m = /^spec\.nodeName=(.*)$/.exec(selector)
      if (m === null) {
        reply(400, status(400, 'BadRequest', `field label not supported: ${selector}`))
        return
      }
      node = m[1]
    }

    if (!watch) {
      const all = [...[...this.#pods.values()].filter((p) => this.#matches(node, p)), ...this.extraListItems]
      // A continue token here is the snapshot's resourceVersion and the offset of the next item.
      const token = url.searchParams.get('continue')
      const [rv, offset] = token === null ? [this.#rv, 0] : token.split(':').map(Number)
      if (token !== null && url.searchParams.has('resourceVersion')) {
        reply(400, status(400, 'BadRequest', 'specifying resource version is not allowed when using continue'))
        return
      }
      const limit = Number(url.searchParams.get('limit') ?? '0')
      const paged = this.paginate && limit > 0
      const items = paged ? all.slice(offset, (offset ?? 0) + limit) : all
      const end = (offset ?? 0) + items.length
      const metadata = { resourceVersion: String(rv), ...(paged && end < all.length ? { continue: `${rv}:${end}` } : {}) }
      const body = { kind: 'PodList', apiVersion: 'v1', metadata, items }
      if (!this.chunkedLists) {
        reply(200, body)
        return
      }
      res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' })
      const text = Buffer.from(JSON.stringify(body))
      for (let at = 0; at < text.length; at += 16 * 1024) res.write(text.subarray(at, at + 16 * 1024))
      res.end()
      return
    }

    res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' })
    res.flushHeaders()
    const w: Watcher = { res, node, bookmarks: url.searchParams.get('allowWatchBookmarks') === 'true' }
    const from = url.searchParams.get('resourceVersion') ?? ''
    if (from === '' || from === '0') {
      for (const p of this.#pods.values()) if (this.#matches(node, p)) this.#send(w, 'ADDED', p)
    } else if (Number(from) < this.#compactedRv) {
      this.#send(w, 'ERROR', status(410, 'Expired', `too old resource version: ${from} (${this.#compactedRv})`))
      res.end()
      return
    } else {
      for (const e of this.#history) if (e.rv > Number(from) && this.#matches(node, e.object)) this.#send(w, e.type, e.object)
    }
    this.#watchers.add(w)
    res.on('close', () => this.#watchers.delete(w))
    const timeoutSeconds = Number(url.searchParams.get('timeoutSeconds') ?? '0')
    if (timeoutSeconds > 0) {
      const timer = setTimeout(() => {
        this.#watchers.delete(w)
        res.end()
      }, timeoutSeconds * 1000)
      timer.unref()
      res.on('close', () => clearTimeout(timer))
    }
  }
}

/** What the API server would refuse in a core/v1 Event (pkg/apis/core/validation/events.go). */
function eventProblem(namespace: string, event: unknown): { code: 400 | 422; message: string } | undefined {
  const meta = field(event, 'metadata')
  const name = stringField(meta, 'name') ?? ''
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(name) || name.length > 253) {
    return { code: 422, message: `metadata.name: Invalid value: "${name}"` }
  }
  const declared = stringField(meta, 'namespace')
  if (declared !== undefined && declared !== namespace)
    return { code: 400, message: 'the namespace of the provided object does not match the namespace sent on the request' }
  if (stringField(field(event, 'involvedObject'), 'namespace') !== namespace)
    return { code: 422, message: 'involvedObject.namespace: Invalid value: does not match event.namespace' }
  const eventTime = field(event, 'eventTime')
  if (eventTime === undefined || eventTime === null) return undefined
  // MicroTime is parsed with RFC3339Micro: exactly six fractional digits.
  if (typeof eventTime !== 'string' || !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/.test(eventTime)) {
    return { code: 400, message: `parsing time ${JSON.stringify(eventTime)} as "2006-01-02T15:04:05.000000Z07:00"` }
  }
  for (const required of ['reportingComponent', 'reportingInstance', 'action']) {
    if (!stringField(event, required)) return { code: 422, message: `${required}: Required value` }
  }
  if (Buffer.byteLength(stringField(event, 'message') ?? '') > 1024)
    return { code: 422, message: 'message: Too long: may not be more than 1024 bytes' }
  return undefined
}

// ---- pods ----------------------------------------------------------------------------------

export interface TestContainer {
  readonly name: string
  /** Without runtime prefix; absent until "started". */
  readonly id?: string
  readonly image?: string
  readonly memory?: string
}

export interface TestPod {
  readonly uid: string
  readonly name: string
  readonly namespace?: string
  readonly node?: string
  readonly qos?: string
  readonly containers: readonly TestContainer[]
  readonly annotations?: Readonly<Record<string, string>>
}

/** A Pod as the API serves it, with only the fields memlens reads filled in. */
export function pod(p: TestPod): Json {
  return {
    metadata: { uid: p.uid, name: p.name, namespace: p.namespace ?? 'default', ...(p.annotations ? { annotations: p.annotations } : {}) },
    spec: {
      nodeName: p.node ?? 'node-a',
      containers: p.containers.map((c) => ({
        name: c.name,
        image: c.image ?? `registry.example/${c.name}:1`,
        ...(c.memory ? { resources: { requests: { memory: c.memory } } } : {}),
      })),
    },
    status: {
      phase: 'Running',
      qosClass: p.qos ?? 'Burstable',
      containerStatuses: p.containers.map((c) => ({
        name: c.name,
        image: c.image ?? `registry.example/${c.name}:1`,
        ...(c.id ? { containerID: `containerd://${c.id}` } : {}),
      })),
    },
  }
}
