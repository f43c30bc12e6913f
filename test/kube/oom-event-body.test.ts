// The Event's fields, on literals: what `kubectl describe pod` and the API server's checks see.
import t from 'tap'
import { EVENT_REASON, eventName, oomEventBody, truncateBytes } from '../../agent/kube/oom-event-body.js'

const AT = Date.UTC(2025, 0, 2, 3, 4, 5, 678)
const BATCH = { firstMs: AT, lastMs: AT + 60_000, count: 3, message: 'OOM-killed at the container memory limit: anon' }

t.test('a container kill: on the pod, pointing at the container', async (t) => {
  const body = oomEventBody({ namespace: 'shop', pod: 'web-0', podUid: 'uid-web', container: 'app' }, BATCH, 'node-a', 'web-0.x')
  t.same(body.involvedObject, {
    kind: 'Pod',
    apiVersion: 'v1',
    namespace: 'shop',
    name: 'web-0',
    uid: 'uid-web',
    fieldPath: 'spec.containers{app}',
  })
  t.same(body.metadata, { name: 'web-0.x', namespace: 'shop' })
  t.equal(body.reason, EVENT_REASON)
  t.equal(body.type, 'Warning')
  t.equal(body.message, BATCH.message)
  t.same(body.source, { component: 'memlens', host: 'node-a' })
  t.equal(body.reportingComponent, 'memlens')
  t.equal(body.reportingInstance, 'node-a')
  t.equal(body.count, 3)
  t.equal(body.firstTimestamp?.toISOString(), '2025-01-02T03:04:05.678Z')
  t.equal(body.lastTimestamp?.toISOString(), '2025-01-02T03:05:05.678Z')
  t.equal(JSON.stringify(body.eventTime), '"2025-01-02T03:04:05.678000Z"', 'MicroTime: six fractional digits')
})

t.test('a pod-level kill, or the sandbox: no fieldPath; an unknown UID: none sent', async (t) => {
  for (const container of ['', 'POD']) {
    const body = oomEventBody({ namespace: 'shop', pod: 'web-0', container }, BATCH, 'node-a', 'n')
    t.same(body.involvedObject, { kind: 'Pod', apiVersion: 'v1', namespace: 'shop', name: 'web-0' }, JSON.stringify(container))
  }
})

t.test('names: unique per kill, a valid DNS subdomain even for the longest pod name', async (t) => {
  t.equal(eventName('web-0', AT, 0), `web-0.${AT.toString(16)}0000`)
  t.not(eventName('web-0', AT, 1), eventName('web-0', AT, 0), 'two kills in one millisecond')
  const long = eventName('a'.repeat(235) + '.-b' + 'c'.repeat(20), AT, 7)
  t.ok(long.length <= 253)
  t.match(long, /^a+\.[0-9a-f]+$/, 'cut before a trailing - or .')
})

t.test('messages are cut to the 1024 bytes the API takes, on whole characters', async (t) => {
  t.equal(truncateBytes('short', 1024), 'short')
  const cut = truncateBytes('é'.repeat(600), 1024)
  t.ok(Buffer.byteLength(cut) <= 1024)
  t.match(cut, /^é+\.\.\.$/)
  const body = oomEventBody({ namespace: 's', pod: 'p', container: 'c' }, { ...BATCH, message: 'x'.repeat(2000) }, 'n'.repeat(200), 'p.1')
  t.equal(Buffer.byteLength(body.message ?? ''), 1024)
  t.equal(body.reportingInstance?.length, 128, 'reportingInstance is limited to 128 characters')
})
