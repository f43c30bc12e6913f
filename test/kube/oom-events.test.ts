// OOM Events end to end: the real client library posts them to the fake API server, which
// checks them as the API server does. Timers that decide what is sent (the coalescing window,
// retries) run on a fake clock where the test needs to say when they fire.
import { Registry } from 'prom-client'
import t from 'tap'
import { createKubeMetrics } from '../../agent/kube/kube-metrics.js'
import { startOomEvents, type OomEventsOptions } from '../../agent/kube/oom-events.js'
import { startPodMetadata } from '../../agent/kube/pod-metadata.js'
import type { Schedule } from '../../agent/kube/schedule.js'
import type { OomRecord } from '../../agent/model.js'
import { FakeTimers } from '../helpers/fake-timers.js'
import { FakeApiServer, pod, type Json } from './fake-api-server.js'
import { LEVELS, captureLog, kubeConfigFor, until, type CapturedLog } from './helpers.js'

const AT = Date.UTC(2025, 0, 2, 3, 4, 5, 678)
const MESSAGE = "OOM-killed at the container memory limit: anon, the program's own memory. Limit 128 MiB."

function oom(over: Partial<OomRecord> = {}): OomRecord {
  return {
    atMs: AT,
    id: '/kubepods/burstable/poduid-web/aaaa',
    podUid: 'uid-web',
    namespace: 'shop',
    pod: 'web-0',
    container: 'app',
    cause: 'anon',
    scope: 'container',
    kills: 1,
    message: MESSAGE,
    evidence: [],
    advice: [],
    numbers: {},
    fromKernelReport: false,
    ...over,
  }
}

type TapTest = { teardown(fn: () => unknown): void }

interface Counted {
  readonly log: CapturedLog
  count(result: 'sent' | 'failed' | 'dropped'): Promise<number | undefined>
}

function counted(registry: Registry): Counted {
  return {
    log: captureLog(),
    count: async (result) => {
      const metric = registry.getSingleMetric('memlens_kubernetes_events_total')
      return (await metric?.get())?.values.find((v) => v.labels['result'] === result)?.value
    },
  }
}

function scheduleOn(timers: FakeTimers): Schedule {
  return (fn, ms) => {
    const id = timers.setTimeout(fn, ms)
    return () => timers.clearTimeout(id)
  }
}

/** The OOM Events alone on a fake clock, talking to `url`. */
function eventsOnFakeClock(t: TapTest, server: FakeApiServer, url: string, options: Partial<OomEventsOptions> = {}) {
  const registry = new Registry()
  const c = counted(registry)
  const timers = new FakeTimers()
  const events = startOomEvents({
    kubeConfig: kubeConfigFor(url),
    nodeName: 'node-a',
    pod: () => undefined,
    metrics: createKubeMetrics(registry),
    logger: c.log.logger,
    schedule: scheduleOn(timers),
    random: () => 0.5,
    backoff: { initialMs: 10, maxMs: 40 },
    windowMs: 600_000,
    ...options,
  })
  t.teardown(async () => {
    events.stop()
    await server.close()
  })
  return { ...c, events, timers }
}

const podOf = (e: Json): unknown => (e['involvedObject'] as Json | undefined)?.['name']
const metaOf = (e: Json): Json => (e['metadata'] as Json | undefined) ?? {}

t.test('the Event reaches the API server on the pod the index names, while reportOom returns at once', async (t) => {
  const server = await FakeApiServer.start()
  server.add(pod({ uid: 'uid-web', name: 'web-0', namespace: 'shop', containers: [{ name: 'app', id: 'a'.repeat(64) }] }))
  const registry = new Registry()
  const c = counted(registry)
  const source = startPodMetadata({
    kubeConfig: kubeConfigFor(server.url),
    nodeName: 'node-a',
    registry,
    logger: c.log.logger,
    random: () => 0.5,
  })
  t.teardown(async () => {
    await source.stop()
    await server.close()
  })
  await until('synced', () => source.synced())

  // The collector may not know the names yet: the pod UID is enough.
  t.equal(source.reportOom(oom({ namespace: '', pod: '' })), undefined)
  t.equal(server.events.length, 0, 'returned before the request was made')
  await until('event created', () => server.events.length === 1)

  const [event = {}] = server.events
  t.equal(metaOf(event)['namespace'], 'shop')
  t.match(metaOf(event)['name'], /^web-0\.[0-9a-f]+$/)
  t.same(event['involvedObject'], {
    kind: 'Pod',
    apiVersion: 'v1',
    namespace: 'shop',
    name: 'web-0',
    uid: 'uid-web',
    fieldPath: 'spec.containers{app}',
  })
  t.match(event, {
    reason: 'OOMKillExplained',
    type: 'Warning',
    message: MESSAGE,
    source: { component: 'memlens', host: 'node-a' },
    reportingComponent: 'memlens',
    reportingInstance: 'node-a',
    count: 1,
    firstTimestamp: '2025-01-02T03:04:05.678Z',
    lastTimestamp: '2025-01-02T03:04:05.678Z',
    eventTime: '2025-01-02T03:04:05.678000Z',
  })
  t.same(
    server.requests.filter((r) => r.method === 'POST').map((r) => r.path),
    ['/api/v1/namespaces/shop/events'],
  )
  await until('counted', async () => (await c.count('sent')) === 1)
  t.equal(await c.count('failed'), 0)
})

t.test('an API server that is down delays the Events and loses none', async (t) => {
  const port = await FakeApiServer.freePort()
  const server = new FakeApiServer()
  const registry = new Registry()
  const c = counted(registry)
  // The pod watch fails too: the records' own names are enough.
  const source = startPodMetadata({
    kubeConfig: kubeConfigFor(`http://127.0.0.1:${port}`),
    nodeName: 'node-a',
    registry,
    logger: c.log.logger,
    random: () => 0.5,
    backoff: { initialMs: 10, maxMs: 40 },
  })
  t.teardown(async () => {
    await source.stop()
    await server.close()
  })
  source.reportOom(oom({ podUid: 'uid-1', pod: 'one-0' }))
  source.reportOom(oom({ podUid: 'uid-2', pod: 'two-0', cause: 'dirty_page_cache' }))
  source.reportOom(oom({ podUid: 'uid-3', pod: 'three-0', container: 'side' }))
  await until('retried', async () => ((await c.count('failed')) ?? 0) >= 2)
  t.equal(server.events.length, 0)

  await server.listen(port)
  await until('all three created', () => server.events.length === 3)
  t.same(server.events.map(podOf), ['one-0', 'two-0', 'three-0'], 'in the order of the kills')
  // The server has it before the client has read the answer.
  await until('all counted', async () => (await c.count('sent')) === 3)
  t.equal(await c.count('dropped'), 0)
  const lines = c.log.lines()
  t.equal(
    lines.filter((l) => l.level === LEVELS.warn && /could not send an OOM Event/.test(l.msg ?? '')).length,
    1,
    'one warning per outage',
  )
  t.ok(lines.some((l) => l.level === LEVELS.info && /OOM Events reach the Kubernetes API again/.test(l.msg ?? '')))
})

t.test('500s are retried; a 403 or 422 is dropped with an error, and the next Event still goes', async (t) => {
  const server = await FakeApiServer.start()
  const h = eventsOnFakeClock(t, server, server.url)
  server.failNext('event', { status: 500 }, { status: 503 })
  h.events.report(oom({ pod: 'retried-0', podUid: 'uid-r' }))
  // Each retry waits on the fake clock.
  await until('created after the retries', () => {
    h.timers.advance(1000)
    return server.events.length > 0
  })
  t.same(server.events.map(podOf), ['retried-0'])
  t.equal(await h.count('failed'), 2)

  server.failNext('event', { status: 403 }, { status: 422 })
  h.events.report(oom({ pod: 'denied-0', podUid: 'uid-d' }))
  h.events.report(oom({ pod: 'invalid-0', podUid: 'uid-i' }))
  h.events.report(oom({ pod: 'fine-0', podUid: 'uid-f' }))
  await until('the third created', () => server.events.length === 2)
  t.same(server.events.map(podOf), ['retried-0', 'fine-0'])
  t.equal(await h.count('dropped'), 2)
  const errors = h.log.lines().filter((l) => l.level === LEVELS.error)
  t.equal(errors.length, 2)
  t.match(errors[0]?.msg, /create on events/, 'a 403 names the missing grant')
})

t.test('a crash loop is counted into one Event per window, not one per kill', async (t) => {
  const server = await FakeApiServer.start()
  const h = eventsOnFakeClock(t, server, server.url)
  for (let i = 0; i < 5; i++) h.events.report(oom({ atMs: AT + i * 30_000, message: `kill ${i}` }))
  // A kill of another container, reported after the loop: FIFO, so it arrives after anything queued before it.
  h.events.report(oom({ container: 'sidecar', atMs: AT + 200_000 }))
  await until('two Events', () => server.events.length >= 2)
  t.same(
    server.events.map((e) => [(e['involvedObject'] as Json)['fieldPath'], e['count'], e['message']]),
    [
      ['spec.containers{app}', 1, 'kill 0'],
      ['spec.containers{sidecar}', 1, MESSAGE],
    ],
    'the first kill at once; the other four wait for the window',
  )

  // Requests time out on the fake clock too: let them finish before moving it.
  await until('counted', async () => (await h.count('sent')) === 2)
  h.timers.advance(600_000)
  await until('the window closed', () => server.events.length === 3)
  t.match(server.events[2], {
    count: 4,
    message: 'kill 4',
    firstTimestamp: new Date(AT + 30_000).toISOString(),
    lastTimestamp: new Date(AT + 120_000).toISOString(),
    involvedObject: { fieldPath: 'spec.containers{app}' },
  })
  t.not(metaOf(server.events[2] ?? {})['name'], metaOf(server.events[0] ?? {})['name'])

  // A quiet window ends the series: the next kill is sent at once again.
  await until('counted', async () => (await h.count('sent')) === 3)
  h.timers.advance(600_000)
  h.events.report(oom({ atMs: AT + 2_000_000, message: 'again' }))
  await until('sent at once', () => server.events.length === 4)
  t.match(server.events[3], { count: 1, message: 'again' })

  // Another cause is another series.
  h.events.report(oom({ atMs: AT + 2_000_001, cause: 'shmem', message: 'shmem' }))
  await until('its own Event', () => server.events.length === 5)
  await until('all counted', async () => (await h.count('sent')) === 5)
})

t.test('a kill of a pod the API has not named: no Event, a debug line', async (t) => {
  const server = await FakeApiServer.start()
  const h = eventsOnFakeClock(t, server, server.url)
  h.events.report(oom({ podUid: 'uid-unknown', namespace: '', pod: '' }))
  h.events.report(oom({ podUid: undefined, namespace: '', pod: '', id: '/system.slice/x' }))
  h.events.report(oom({ pod: 'known-0' }))
  await until('the known one', () => server.events.length === 1)
  t.same(server.events.map(podOf), ['known-0'])
  const skipped = h.log.lines().filter((l) => /has not named/.test(l.msg ?? ''))
  t.same(
    skipped.map((l) => [l.level, l['podUid']]),
    [
      [LEVELS.debug, 'uid-unknown'],
      [LEVELS.debug, undefined],
    ],
  )
})

t.test('the queue is bounded: the oldest are dropped with a warning, the rest arrive', async (t) => {
  const port = await FakeApiServer.freePort()
  const server = new FakeApiServer()
  const h = eventsOnFakeClock(t, server, `http://127.0.0.1:${port}`, { maxPending: 3 })
  for (let i = 1; i <= 5; i++) h.events.report(oom({ podUid: `uid-${i}`, pod: `p${i}` }))
  await until('first attempt failed', async () => (await h.count('failed')) === 1)
  t.equal(await h.count('dropped'), 2)
  t.equal(h.log.lines().filter((l) => l.level === LEVELS.warn && /dropped the oldest/.test(l.msg ?? '')).length, 2)

  await server.listen(port)
  await until('the rest created', () => {
    h.timers.advance(1000)
    return server.events.length === 3
  })
  t.same(server.events.map(podOf), ['p3', 'p4', 'p5'])
  await until('all counted', async () => (await h.count('sent')) === 3)
  t.equal(await h.count('dropped'), 2)
})

t.test('stop() drops the timers and the queue', async (t) => {
  const port = await FakeApiServer.freePort()
  const server = new FakeApiServer()
  const h = eventsOnFakeClock(t, server, `http://127.0.0.1:${port}`)
  h.events.report(oom())
  h.events.report(oom({ podUid: 'uid-2', pod: 'two-0' }))
  await until('waiting to retry', async () => (await h.count('failed')) === 1)
  t.ok(h.timers.pending >= 2, 'a retry and a window are scheduled')
  h.events.stop()
  t.equal(h.timers.pending, 0)
  h.events.report(oom({ podUid: 'uid-3', pod: 'three-0' }))
  t.equal(h.timers.pending, 0, 'nothing is taken after stop')
  t.ok(h.log.lines().some((l) => l.level === LEVELS.info && l['events'] === 2))
})
