// The watch wrapper on its own, for what the full ListWatch never provokes: library handlers
// that throw, a request that fails before it is sent, a watch asked for after stop().
import { KubeConfig } from '@kubernetes/client-node'
import t from 'tap'
import { field, stringField } from '../../agent/kube/guards.js'
import { GuardedWatch, type WatchHooks } from '../../agent/kube/guarded-watch.js'
import { realSchedule } from '../../agent/kube/schedule.js'
import { FakeApiServer, pod } from './fake-api-server.js'
import { kubeConfigFor, until } from './helpers.js'

interface Recorded {
  readonly failed: unknown[]
  readonly unexpected: unknown[]
  connected: number
  stopped: boolean
}

function guardedWatch(config: KubeConfig): { watch: GuardedWatch; seen: Recorded } {
  const seen: Recorded = { failed: [], unexpected: [], connected: 0, stopped: false }
  const hooks: WatchHooks = {
    isStopped: () => seen.stopped,
    timeoutSeconds: () => 300,
    connected: () => void seen.connected++,
    progressed: () => {},
    failed: (er) => void seen.failed.push(er),
    malformed: () => {},
    gone: () => 0,
    unexpected: (er) => void seen.unexpected.push(er),
  }
  const watch = new GuardedWatch(config, {
    hooks,
    schedule: realSchedule,
    now: () => performance.now(),
    requestTimeoutMs: 2000,
    graceMs: 1000,
  })
  return { watch, seen }
}

t.test('a request that fails before it is sent is reported through done, not thrown', async (t) => {
  const config = new KubeConfig()
  config.loadFromOptions({ clusters: [], users: [], contexts: [], currentContext: 'nowhere' })
  const { watch, seen } = guardedWatch(config)
  const done: unknown[] = []
  const controller = await watch.watch(
    '/api/v1/pods',
    {},
    () => {},
    (er) => void done.push(er),
  )
  t.equal(controller.signal.aborted, true)
  t.equal(done.length, 1)
  t.match(done[0], { message: /No currently active cluster/ })
  t.equal(seen.failed[0], done[0], 'counted and logged as a failure')
})

t.test('handlers that throw or reject are reported as unexpected; the watch goes on', async (t) => {
  const server = await FakeApiServer.start()
  const { watch, seen } = guardedWatch(kubeConfigFor(server.url))
  t.teardown(async () => {
    watch.abortAll()
    await server.close()
  })
  const names: string[] = []
  let calls = 0
  const callback = (_phase: string, obj: unknown): Promise<void> => {
    calls++
    names.push(stringField(field(obj, 'metadata'), 'name') ?? '?')
    if (calls === 1) throw new Error('sync throw')
    if (calls === 2) return Promise.reject(new Error('async rejection'))
    return Promise.resolve()
  }
  const done: unknown[] = []
  // A callback that rejects is exactly what the guard must survive.
  // eslint-disable-next-line @typescript-eslint/no-misused-promises
  await watch.watch('/api/v1/pods', { resourceVersion: String(server.resourceVersion) }, callback, (er) => {
    done.push(er)
  })
  t.equal(seen.connected, 1)
  for (const name of ['p1', 'p2', 'p3']) server.add(pod({ uid: name, name, containers: [] }))
  await until('three events', () => names.length === 3)
  await until('rejection seen', () => seen.unexpected.length === 2)
  t.same(names, ['p1', 'p2', 'p3'])
  t.match(seen.unexpected, [{ message: 'sync throw' }, { message: 'async rejection' }])
  t.same(done, [], 'still open')
  t.equal(server.requests[0]?.query.get('allowWatchBookmarks'), 'true')
  t.equal(server.requests[0]?.query.get('timeoutSeconds'), '300')
})

t.test('a watch asked for after stop() sends no request', async (t) => {
  const server = await FakeApiServer.start()
  t.teardown(() => server.close())
  const { watch, seen } = guardedWatch(kubeConfigFor(server.url))
  seen.stopped = true
  const controller = await watch.watch(
    '/api/v1/pods',
    {},
    () => {},
    () => {},
  )
  t.equal(controller.signal.aborted, true)
  t.equal(server.requests.length, 0)
})
