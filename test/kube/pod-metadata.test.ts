// The real client library against the fake API server: the list/watch protocol end to end,
// with the failures the agent must ride out.
import { Registry } from 'prom-client'
import t from 'tap'
import { KUBE_ERROR_REASONS } from '../../agent/kube/kube-errors.js'
import { startPodMetadata, type PodMetadata, type PodMetadataOptions } from '../../agent/kube/pod-metadata.js'
import { realSchedule } from '../../agent/kube/schedule.js'
import { NO_NAMES } from '../../agent/model.js'
import type { CgroupRef } from '../../agent/model.js'
import { FakeApiServer, pod, type TestPod } from './fake-api-server.js'
import { LEVELS, captureLog, kubeConfigFor, until, type CapturedLog } from './helpers.js'

const A = 'a'.repeat(64)
const B = 'b'.repeat(64)
const C = 'c'.repeat(64)
const SANDBOX = 'f'.repeat(64)

const WEB: TestPod = { uid: 'uid-web', name: 'web-0', namespace: 'shop', containers: [{ name: 'app', id: A, memory: '128Mi' }] }
const DB: TestPod = { uid: 'uid-db', name: 'db-0', namespace: 'shop', qos: 'Guaranteed', containers: [{ name: 'postgres', id: B }] }
const ELSEWHERE: TestPod = { uid: 'uid-far', name: 'far-0', node: 'node-b', containers: [{ name: 'far', id: C }] }

const podRef = (uid: string): CgroupRef => ({ id: `/kubepods/pod${uid}`, kind: 'pod', podUid: uid })
const containerRef = (uid: string, containerId: string): CgroupRef => ({
  id: `/kubepods/pod${uid}/${containerId}`,
  kind: 'container',
  podUid: uid,
  containerId,
})

interface Harness {
  readonly source: PodMetadata
  readonly server: FakeApiServer
  readonly log: CapturedLog
  watchUp(): Promise<number | undefined>
  errors(reason: string): Promise<number | undefined>
  lists(): number
  watches(): readonly URLSearchParams[]
  /** The server has a watch open and the client knows it: watch_up is 1. */
  established(): Promise<boolean>
}

type TapTest = { teardown(fn: () => unknown): void }

/**
 * A source on node-a pointed at `server` (which may not be listening yet), with backoff delays
 * of 10 ms doubling to 40 ms and no jitter, stopped with the server at teardown.
 */
function harness(t: TapTest, server: FakeApiServer, url = server.url, options: Partial<PodMetadataOptions> = {}): Harness {
  const registry = new Registry()
  const log = captureLog()
  const source = startPodMetadata({
    kubeConfig: kubeConfigFor(url),
    nodeName: 'node-a',
    registry,
    logger: log.logger,
    random: () => 0.5,
    backoff: { initialMs: 10, maxMs: 40 },
    requestTimeoutMs: 2000,
    ...options,
  })
  t.teardown(async () => {
    await source.stop()
    await server.close()
  })
  const value = async (name: string, reason?: string): Promise<number | undefined> => {
    const metric = registry.getSingleMetric(name)
    if (metric === undefined) return undefined
    const { values } = await metric.get()
    return values.find((v) => reason === undefined || v.labels['reason'] === reason)?.value
  }
  return {
    source,
    server,
    log,
    watchUp: () => value('memlens_kubernetes_watch_up'),
    errors: (reason) => value('memlens_kubernetes_errors_total', reason),
    lists: () => server.requests.filter((r) => !r.watch).length,
    watches: () => server.requests.filter((r) => r.watch).map((r) => r.query),
    established: async () => server.openWatches === 1 && (await value('memlens_kubernetes_watch_up')) === 1,
  }
}

async function errorCounts(h: Harness): Promise<Record<string, number | undefined>> {
  const out: Record<string, number | undefined> = {}
  for (const reason of KUBE_ERROR_REASONS) out[reason] = await h.errors(reason)
  return out
}

const NO_ERRORS = { list: 0, watch: 0, gone: 0, unauthorized: 0, forbidden: 0, decode: 0, too_large: 0 }

t.test('names arrive with ADDED, change with MODIFIED, vanish with DELETED', async (t) => {
  const server = await FakeApiServer.start()
  server.add(pod(WEB))
  server.add(pod(ELSEWHERE))
  const h = harness(t, server)
  t.equal(h.source.synced(), false, 'not synced before the API answered')

  await until('synced', () => h.source.synced())
  t.same(h.source.names(podRef('uid-web')), { namespace: 'shop', pod: 'web-0', container: '' }, 'from the list')
  t.same(h.source.names(containerRef('uid-web', A)), { namespace: 'shop', pod: 'web-0', container: 'app' })
  t.equal(h.source.container(A)?.requestBytes, 128 * 2 ** 20)
  t.equal(h.source.names(podRef('uid-far')), NO_NAMES, 'a pod of another node is filtered out by the server')
  await until('watch open', h.established)
  t.equal(await h.watchUp(), 1)

  // A pod that starts with its container not yet running.
  server.add(pod({ ...DB, containers: [{ name: 'postgres' }] }))
  await until('db added', () => h.source.pod('uid-db') !== undefined)
  t.same(h.source.pod('uid-db'), { uid: 'uid-db', namespace: 'shop', name: 'db-0', node: 'node-a', qos: 'guaranteed' })
  t.equal(h.source.names(containerRef('uid-db', B)), NO_NAMES, 'container not reported yet: no name, and not POD')
  t.equal(h.source.names(containerRef('uid-db', SANDBOX)), NO_NAMES)

  server.modify(pod(DB))
  await until('db modified', () => h.source.container(B) !== undefined)
  t.same(h.source.names(containerRef('uid-db', B)), { namespace: 'shop', pod: 'db-0', container: 'postgres' })
  t.same(
    h.source.names(containerRef('uid-db', SANDBOX)),
    { namespace: 'shop', pod: 'db-0', container: 'POD' },
    'now the leftover is the sandbox',
  )

  server.add(pod({ ...ELSEWHERE, uid: 'uid-far-2', name: 'far-1' }))
  server.remove(pod(WEB))
  await until('web deleted', () => h.source.pod('uid-web') === undefined)
  t.equal(h.source.names(podRef('uid-web')), NO_NAMES)
  t.equal(h.source.names(containerRef('uid-web', A)), NO_NAMES)
  t.equal(h.source.pod('uid-far-2'), undefined, 'the watch is filtered too')
  t.same(
    [...h.source.pods()].map((p) => p.name),
    ['db-0'],
  )

  t.equal(h.lists(), 1, 'one list')
  const list = server.requests.find((r) => !r.watch)
  t.equal(list?.path, '/api/v1/pods')
  t.equal(list?.query.get('fieldSelector'), 'spec.nodeName=node-a', 'the list asks for this node only')
  t.equal(list?.query.get('resourceVersion'), '0', 'served from the watch cache')
  const [watch] = h.watches()
  t.equal(watch?.get('fieldSelector'), 'spec.nodeName=node-a', 'the watch asks for this node only')
  t.equal(watch?.get('allowWatchBookmarks'), 'true')
  t.equal(watch?.get('resourceVersion'), '1002', 'the watch starts where the list ended')
  const timeout = Number(watch?.get('timeoutSeconds'))
  t.ok(timeout >= 300 && timeout < 600, `the server ends each watch after 5-10 min (${timeout})`)
  t.same(await errorCounts(h), NO_ERRORS)
})

t.test('bookmarks move the resourceVersion a resumed watch starts from', async (t) => {
  const server = await FakeApiServer.start()
  const h = harness(t, server)
  await until('watch open', h.established)
  server.add(pod({ ...ELSEWHERE, uid: 'x1' }))
  server.add(pod({ ...ELSEWHERE, uid: 'x2', name: 'far-1' }))
  server.bookmark()
  await new Promise((resolve) => setTimeout(resolve, 50))
  server.endWatches()
  await until('resumed', () => h.watches().length === 2)
  t.equal(h.watches()[1]?.get('resourceVersion'), String(server.resourceVersion), 'from the bookmark, not the list')
  t.equal(h.lists(), 1)
})

t.test('a watch ERROR event 410 relists, and deletions missed meanwhile are applied', async (t) => {
  const server = await FakeApiServer.start()
  server.add(pod(WEB))
  server.add(pod(DB))
  const h = harness(t, server)
  await until('watch open', h.established)
  server.removeSilently(pod(WEB))
  server.expireWatches()
  await until('relisted', () => h.lists() === 2)
  await until('web gone', () => h.source.pod('uid-web') === undefined)
  t.equal(h.source.pod('uid-db')?.name, 'db-0', 'the rest is kept')
  await until('watch open again', h.established)
  t.equal(await h.watchUp(), 1)
  t.same(await errorCounts(h), { ...NO_ERRORS, gone: 1 })
})

t.test('a resumed watch from an expired resourceVersion relists', async (t) => {
  const server = await FakeApiServer.start()
  server.add(pod(WEB))
  const h = harness(t, server)
  await until('watch open', h.established)
  server.add(pod(DB)) // so the watch has made progress before it ends
  await until('db', () => h.source.pod('uid-db') !== undefined)
  // While it is away, more happens than the server keeps history for.
  server.endWatches()
  server.addSilently(pod({ ...WEB, uid: 'uid-web-2', name: 'web-1' }))
  server.compact()
  await until('relisted', () => h.lists() === 2)
  await until('watch open again', h.established)
  t.equal(h.source.pod('uid-web-2')?.name, 'web-1', 'the relist brought what the watch could not replay')
  t.same(await errorCounts(h), { ...NO_ERRORS, gone: 1 })
})

t.test('an HTTP 410 on the watch relists', async (t) => {
  const server = await FakeApiServer.start()
  server.add(pod(WEB))
  server.failNext('watch', { status: 410 })
  const h = harness(t, server)
  await until('relisted', () => h.lists() === 2)
  await until('watch open', h.established)
  t.equal(h.source.names(podRef('uid-web')).pod, 'web-0')
  t.same(await errorCounts(h), { ...NO_ERRORS, gone: 1 })
})

t.test('410 after 410 without progress: the relist waits for the backoff', async (t) => {
  const server = await FakeApiServer.start()
  server.failNext('watch', { status: 410 }, { status: 410 }, { status: 410 })
  const h = harness(t, server)
  await until('watch open', h.established)
  t.equal(h.lists(), 4)
  const gone = h.log.lines().filter((l) => /410 Gone/.test(l.msg ?? ''))
  t.same(
    gone.map((l) => l['inARow']),
    [1, 2, 3],
  )
  t.same(await errorCounts(h), { ...NO_ERRORS, gone: 3 })
})

t.test('HTTP 500s: retried with capped exponential backoff, then recovered', async (t) => {
  const server = await FakeApiServer.start()
  server.add(pod(WEB))
  server.failNext('list', { status: 500 }, { status: 500 }, { status: 500 }, { status: 500 })
  const h = harness(t, server)
  await until('synced', () => h.source.synced())
  t.equal(h.lists(), 5)
  const delays = h.log.lines().flatMap((l) => (typeof l['delayMs'] === 'number' ? [l['delayMs']] : []))
  t.same(delays, [10, 20, 40, 40], 'doubling from 10 ms, capped at 40 ms')
  const warns = h.log.lines().filter((l) => l.level === LEVELS.warn)
  t.equal(warns.length, 1, 'one warning for the streak, not one per retry')
  t.match(warns[0], { phase: 'list', status: 500, error: 'injected 500' })
  t.ok(
    h.log.lines().some((l) => l.level === LEVELS.info && l.msg === 'Kubernetes API reachable again' && l['failures'] === 4),
    'recovery is logged',
  )
  t.equal(h.source.names(podRef('uid-web')).pod, 'web-0')

  // Now the watch: a 500 when resuming. The list is not repeated: the watch resumes from its resourceVersion.
  await until('watch open', h.established)
  t.equal(await h.watchUp(), 1)
  server.failNext('watch', { status: 500 })
  server.add(pod(DB))
  await until('db', () => h.source.pod('uid-db') !== undefined)
  server.dropWatches()
  await until('drop and 500 seen', async () => (await h.errors('watch')) === 2)
  await until('watch open again', h.established)
  t.equal(await h.watchUp(), 1)
  t.equal(h.lists(), 5, 'no relist')
  t.same(await errorCounts(h), { ...NO_ERRORS, list: 4, watch: 2 })
})

t.test('a dropped watch connection resumes from the last resourceVersion', async (t) => {
  const server = await FakeApiServer.start()
  server.add(pod(WEB))
  const h = harness(t, server)
  await until('watch open', h.established)
  server.add(pod(DB))
  await until('db', () => h.source.pod('uid-db') !== undefined)
  const seen = String(server.resourceVersion)
  server.dropWatches()
  // Changes while disconnected are replayed from the resourceVersion.
  server.remove(pod(WEB))
  server.add(pod({ ...WEB, uid: 'uid-web-2', name: 'web-1', containers: [{ name: 'app', id: C }] }))
  await until('replayed', () => h.source.pod('uid-web-2') !== undefined && h.source.pod('uid-web') === undefined)
  t.equal(h.lists(), 1, 'no relist')
  t.equal(h.watches()[1]?.get('resourceVersion'), seen)
  t.same(h.source.names(containerRef('uid-web-2', C)), { namespace: 'shop', pod: 'web-1', container: 'app' })
  t.same(await errorCounts(h), { ...NO_ERRORS, watch: 1 })
})

t.test('a watch the server ends cleanly resumes at once, without counting an error', async (t) => {
  const server = await FakeApiServer.start()
  const h = harness(t, server, server.url, { backoff: { initialMs: 60_000 } })
  await until('watch open', h.established)
  server.add(pod(WEB))
  await until('web', () => h.source.pod('uid-web') !== undefined)
  server.endWatches()
  await until('resumed', async () => h.watches().length === 2 && (await h.established()))
  t.equal(h.lists(), 1)
  t.same(await errorCounts(h), NO_ERRORS)
})

t.test('a watch closed at once without events is an error, retried with backoff (no tight loop)', async (t) => {
  const server = await FakeApiServer.start()
  const h = harness(t, server)
  await until('watch open', h.established)
  server.endWatches()
  await until('watch open again', async () => h.watches().length === 2 && (await h.established()))
  t.ok(
    h.log.lines().some((l) => l['delayMs'] === 10),
    'went through the backoff',
  )
  t.same(await errorCounts(h), { ...NO_ERRORS, watch: 1 })
})

t.test('a watch ERROR event other than 410 ends the watch; it resumes after a backoff', async (t) => {
  const server = await FakeApiServer.start()
  server.add(pod(WEB))
  const h = harness(t, server)
  await until('watch open', h.established)
  server.errorWatches(500)
  await until('watch open again', async () => h.watches().length === 2 && (await h.established()))
  t.equal(h.lists(), 1, 'no relist: the resourceVersion is still good')
  t.match(
    h.log.lines().find((l) => l.level === LEVELS.warn),
    { phase: 'watch', status: 500, error: /injected error 500/ },
  )
  t.same(await errorCounts(h), { ...NO_ERRORS, watch: 1 })
})

t.test('API server down at start: serves empty names, fills them once it is up', async (t) => {
  const port = await FakeApiServer.freePort()
  const server = new FakeApiServer()
  server.add(pod(WEB))
  const h = harness(t, server, `http://127.0.0.1:${port}`)
  await until('three failed lists', async () => ((await h.errors('list')) ?? 0) >= 3)
  t.equal(h.source.synced(), false)
  t.equal(h.source.names(podRef('uid-web')), NO_NAMES, 'empty names while the API is away')
  t.same([...h.source.pods()], [])
  t.equal(await h.watchUp(), 0)
  t.equal(h.log.lines().filter((l) => l.level === LEVELS.warn).length, 1, 'connection refused is warned about once')

  await server.listen(port)
  await until('synced', () => h.source.synced())
  t.same(h.source.names(podRef('uid-web')), { namespace: 'shop', pod: 'web-0', container: '' })
  await until('watch up', async () => (await h.watchUp()) === 1)
  t.ok(h.log.lines().some((l) => l.msg === 'Kubernetes API reachable again'))
})

t.test('401 and 403 are logged once each, with what to fix, until access is restored', async (t) => {
  const server = await FakeApiServer.start()
  server.add(pod(WEB))
  server.deny(401)
  const h = harness(t, server)
  await until('401s', async () => ((await h.errors('unauthorized')) ?? 0) >= 4)
  const errors = (): ReturnType<CapturedLog['lines']> => h.log.lines().filter((l) => l.level === LEVELS.error)
  t.equal(errors().length, 1, 'logged once, not per retry')
  t.match(errors()[0], { status: 401, phase: 'list', msg: /token/ })

  server.deny(undefined)
  await until('synced', () => h.source.synced())
  t.ok(h.log.lines().some((l) => l.msg === 'Kubernetes API access restored' && l['status'] === 401))
  await until('watch open', h.established)

  server.deny(403)
  server.dropWatches()
  await until('403s', async () => ((await h.errors('forbidden')) ?? 0) >= 3)
  t.equal(errors().length, 2, 'a new problem is logged once more')
  t.match(errors()[1], {
    status: 403,
    phase: 'watch',
    // The API server's own words, from the Status body of the error response.
    serverMessage: /^pods is forbidden: .* cannot watch resource "pods"/,
    msg: /get, list and watch on pods.*ClusterRole.*spec\.nodeName=node-a/,
  })
  t.equal(h.source.names(podRef('uid-web')).pod, 'web-0', 'names keep their last known values')
  t.equal(await h.watchUp(), 0)
  t.equal(h.log.lines().filter((l) => l.level === LEVELS.warn).length, 1, 'only the dropped connection was a warning')

  server.deny(undefined)
  await until('watch open again', h.established)
  t.equal(await h.watchUp(), 1)
  t.equal(h.lists(), 5, 'the 401 lists and the one that succeeded; the 403 was on resuming watches')
})

t.test("a 403 on the list logs the API server's own words too", async (t) => {
  const server = await FakeApiServer.start()
  server.deny(403)
  const h = harness(t, server)
  await until('403s', async () => ((await h.errors('forbidden')) ?? 0) >= 2)
  const errors = h.log.lines().filter((l) => l.level === LEVELS.error)
  t.equal(errors.length, 1)
  t.match(errors[0], {
    status: 403,
    phase: 'list',
    serverMessage: /User "system:serviceaccount:memlens:memlens" cannot list resource "pods"/,
  })
  t.equal(h.source.synced(), false)
})

t.test('a request that never gets an answer is abandoned after the request timeout', async (t) => {
  const server = await FakeApiServer.start()
  server.add(pod(WEB))
  server.failNext('list', 'hang')
  server.failNext('watch', 'hang')
  const h = harness(t, server, server.url, { requestTimeoutMs: 100 })
  await until('synced', () => h.source.synced())
  await until('watch open', h.established)
  t.equal(h.lists(), 2)
  t.equal(h.watches().length, 2)
  t.same(await errorCounts(h), { ...NO_ERRORS, list: 1, watch: 1 })
  t.match(
    h.log.lines().filter((l) => l['phase'] !== undefined),
    [{ error: /no response to the pod list within 100 ms/ }, { error: /no response to the watch request/ }],
  )
})

t.test('a watch left open past its timeout is presumed dead and restarted', async (t) => {
  const server = await FakeApiServer.start()
  server.add(pod(WEB))
  // The watch deadline (≥ 300 s + grace) runs in 50 ms; the rest on real time.
  const h = harness(t, server, server.url, { schedule: (fn, ms) => realSchedule(fn, ms >= 300_000 ? 50 : ms) })
  await until('restarted', () => h.watches().length >= 2)
  t.equal(h.lists(), 1)
  t.match(
    h.log.lines().find((l) => l.level === LEVELS.warn),
    { error: /presumed dead/ },
  )
  t.ok(((await h.errors('watch')) ?? 0) >= 1)
})

t.test('malformed objects are counted as decode errors and skipped; the watch goes on', async (t) => {
  const server = await FakeApiServer.start()
  const h = harness(t, server)
  await until('watch open', h.established)
  server.sendRaw('{"type":"ADDED","object":null}')
  server.sendRaw('{"type":"MODIFIED","object":{"metadata":{}}}')
  server.sendRaw('{"type":"SURPRISE","object":{"metadata":{"name":"x"}}}')
  server.sendRaw('not json at all') // the library's Watch dropped these without telling anyone
  server.add({ metadata: { name: 'no-uid', namespace: 'shop' }, spec: { nodeName: 'node-a' } })
  server.add(pod(WEB))
  await until('web', () => h.source.pod('uid-web') !== undefined)
  t.equal(await h.errors('decode'), 5, 'four unusable events and a line that is not JSON')
  t.equal(server.openWatches, 1, 'same watch')
  t.equal(await h.watchUp(), 1, 'a few bad lines do not break the watch')
  t.equal(h.watches().length, 1)
  t.equal(h.log.lines().filter((l) => l.level === LEVELS.warn).length, 1, 'warned once, the rest at debug')
})

t.test('list items without a name are counted as decode errors and left out', async (t) => {
  const server = await FakeApiServer.start()
  server.add(pod(WEB))
  server.extraListItems.push({ metadata: { namespace: 'shop', uid: 'uid-nameless' } }, { kind: 'Pod' })
  const h = harness(t, server)
  await until('synced', () => h.source.synced())
  await until('watch open', h.established)
  t.equal(h.source.pod('uid-web')?.name, 'web-0', 'the good items are used')
  t.equal(h.source.pod('uid-nameless'), undefined)
  t.same(await errorCounts(h), { ...NO_ERRORS, decode: 1 })
})

t.test('a list response without items is a decode error, retried', async (t) => {
  const server = await FakeApiServer.start()
  server.failNext('list', { status: 200, body: { kind: 'PodList', metadata: { resourceVersion: '5' } } })
  server.add(pod(WEB))
  const h = harness(t, server)
  await until('synced', () => h.source.synced())
  t.equal(h.lists(), 2)
  t.same(await errorCounts(h), { ...NO_ERRORS, decode: 1 })
})

t.test('an empty node name is refused: it would select unscheduled pods', async (t) => {
  t.throws(
    () =>
      startPodMetadata({
        kubeConfig: kubeConfigFor('http://127.0.0.1:1'),
        nodeName: '',
        registry: new Registry(),
        logger: captureLog().logger,
      }),
    /node name/,
  )
})

t.test('stop() ends the watch and any retry; nothing runs afterwards', async (t) => {
  const server = await FakeApiServer.start()
  const h = harness(t, server)
  await until('watch open', h.established)
  await h.source.stop()
  await until('watch closed', () => server.openWatches === 0)
  t.equal(await h.watchUp(), 0)
  const requests = server.requests.length
  await new Promise((resolve) => setTimeout(resolve, 100))
  t.equal(server.requests.length, requests, 'no reconnect after stop')
  await h.source.stop() // twice is fine
})

t.test('stop() while the API server is down and a retry is pending', async (t) => {
  const port = await FakeApiServer.freePort()
  const server = new FakeApiServer()
  const h = harness(t, server, `http://127.0.0.1:${port}`, { backoff: { initialMs: 60_000 } })
  await until('failed once', async () => ((await h.errors('list')) ?? 0) === 1)
  const started = Date.now()
  await h.source.stop()
  t.ok(Date.now() - started < 1000, 'does not wait for the backoff')
})

t.test('stop() during a list or a watch request that hangs returns promptly', async (t) => {
  for (const kind of ['list', 'watch'] as const) {
    const server = await FakeApiServer.start()
    server.failNext(kind, 'hang')
    const h = harness(t, server, server.url, { requestTimeoutMs: 60_000 })
    await until(`${kind} sent`, () => (kind === 'list' ? h.lists() : h.watches().length) === 1)
    const started = Date.now()
    await h.source.stop()
    t.ok(Date.now() - started < 1000, `${kind}: stopped without waiting for the timeout`)
    t.same(await errorCounts(h), NO_ERRORS, `${kind}: stopping is not an error`)
  }
})

// ---- what a hostile or broken API server sends ---------------------------------------------

/** A pod whose JSON is a little over `kib` KiB. */
function bulky(i: number, kib: number): TestPod {
  return {
    uid: `uid-bulky-${i}`,
    name: `bulky-${i}`,
    namespace: 'shop',
    containers: [{ name: 'app', id: String(i).padStart(64, '0') }],
    annotations: { pad: 'x'.repeat(kib * 1024) },
  }
}

t.test('a watch that never sends a newline is cut at the line cap, counted, and relisted', async (t) => {
  const server = await FakeApiServer.start()
  server.add(pod(WEB))
  // The default cap (8 MiB): the library's Watch buffered such a line until the heap ran out.
  const h = harness(t, server)
  await until('watch open', h.established)
  const before = process.memoryUsage().heapUsed
  const [written = 0] = await server.streamWithoutNewline(256 * 2 ** 20)
  t.ok(written < 64 * 2 ** 20, `the client hung up soon after 8 MiB (${written} bytes sent)`)
  t.ok(process.memoryUsage().heapUsed - before < 64 * 2 ** 20, 'the heap did not take the stream in')
  await until('too_large counted', async () => (await h.errors('too_large')) === 1)
  await until('watch open again', h.established)
  t.equal(h.lists(), 2, 'relisted: the event that could not be read is lost')
  t.equal(h.source.names(podRef('uid-web')).pod, 'web-0', 'names kept meanwhile')
  t.ok(
    h.log.lines().some((l) => l.level === LEVELS.warn && l['phase'] === 'watch' && /longer than 8 MiB/.test(String(l['error']))),
    'a warning that says what happened',
  )
  t.same(await errorCounts(h), { ...NO_ERRORS, too_large: 1 })
})

t.test('garbage lines on the watch are counted; ten in a row end it as broken', async (t) => {
  const server = await FakeApiServer.start()
  const h = harness(t, server)
  await until('watch open', h.established)
  for (let i = 0; i < 9; i++) server.sendRaw(`garbage ${i}`)
  server.add(pod(WEB)) // a good event ends the run of garbage
  await until('web', () => h.source.pod('uid-web') !== undefined)
  t.equal(await h.errors('decode'), 9, 'each line counted')
  t.equal(await h.watchUp(), 1, 'nine in a row are tolerated')
  t.equal(h.watches().length, 1, 'same watch')
  const couldNotUse = (): number => h.log.lines().filter((l) => l.level === LEVELS.warn && /could not use/.test(l.msg ?? '')).length
  t.equal(couldNotUse(), 1, 'logged once for the connection, the rest at debug')

  for (let i = 0; i < 10; i++) server.sendRaw('{"not":"an event"}')
  await until('decode counted', async () => (await h.errors('decode')) === 19)
  await until('watch open again', () => h.watches().length === 2 && server.openWatches === 1)
  t.equal(h.lists(), 2, 'relisted: events may have been among the garbage')
  t.ok(
    h.log.lines().some((l) => l.level === LEVELS.warn && /10 lines in a row .* not watch events/.test(String(l['error']))),
    'the broken stream is a warning',
  )
  server.sendRaw('garbage on the new connection')
  await until('decode counted', async () => (await h.errors('decode')) === 20)
  t.equal(couldNotUse(), 2, 'the new connection logs its first one again')
})

t.test('a pod list larger than the cap is abandoned as too_large and retried', async (t) => {
  for (const chunked of [false, true]) {
    const server = await FakeApiServer.start()
    server.chunkedLists = chunked
    const bulk = Array.from({ length: 12 }, (_, i) => bulky(i, 8))
    for (const p of bulk) server.add(pod(p))
    const h = harness(t, server, server.url, { maxListBytes: 64 * 1024 })
    await until('too_large counted', async () => ((await h.errors('too_large')) ?? 0) >= 2)
    t.equal(h.source.synced(), false, `${chunked ? 'chunked' : 'with Content-Length'}: nothing taken from it`)
    t.equal(await h.watchUp(), 0)
    t.ok(
      h.log.lines().some((l) => l['phase'] === 'list' && /pod list of node node-a is larger than 64 KiB/.test(String(l['error']))),
      'the warning names the cap',
    )
    for (const p of bulk.slice(2)) server.remove(pod(p))
    await until('synced', () => h.source.synced())
    t.equal(h.source.pod('uid-bulky-1')?.name, 'bulky-1', 'listed once it fits')
  }
})

t.test('the list is fetched in pages where the server pages it', async (t) => {
  const server = await FakeApiServer.start()
  server.paginate = true
  for (let i = 0; i < 5; i++) server.add(pod(bulky(i, 1)))
  const h = harness(t, server, server.url, { listPageSize: 2 })
  await until('watch open', h.established)
  const lists = server.requests.filter((r) => !r.watch).map((r) => r.query)
  t.equal(lists.length, 3, 'three pages of at most two')
  t.same(
    lists.map((q) => [q.get('limit'), q.get('resourceVersion'), q.get('continue')]),
    [
      ['2', '0', null],
      ['2', null, '1005:2'],
      ['2', null, '1005:4'],
    ],
    'the first page from the watch cache if it has one; the rest from the continue token alone',
  )
  t.same([...h.source.pods()].map((p) => p.name).sort(), ['bulky-0', 'bulky-1', 'bulky-2', 'bulky-3', 'bulky-4'])
  t.equal(h.watches()[0]?.get('resourceVersion'), '1005', 'the watch starts at the snapshot the pages came from')
  t.same(await errorCounts(h), NO_ERRORS)
})

t.test('the list cap counts every page together', async (t) => {
  const server = await FakeApiServer.start()
  server.paginate = true
  for (let i = 0; i < 12; i++) server.add(pod(bulky(i, 8)))
  const h = harness(t, server, server.url, { listPageSize: 2, maxListBytes: 64 * 1024 })
  await until('too_large counted', async () => ((await h.errors('too_large')) ?? 0) >= 1)
  t.equal(h.source.synced(), false)
  t.ok(h.lists() >= 4, 'pages fit, their sum does not')
})
