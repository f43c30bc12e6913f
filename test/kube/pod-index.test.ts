import t from 'tap'
import { PodIndex } from '../../agent/kube/pod-index.js'
import { podRecord, type PodRecord } from '../../agent/kube/pod-record.js'
import { NO_NAMES } from '../../agent/model.js'
import type { CgroupRef } from '../../agent/model.js'
import { pod, type TestPod } from './fake-api-server.js'

const A = 'a'.repeat(64)
const B = 'b'.repeat(64)
const SANDBOX = 'f'.repeat(64)
const UID = '11111111-2222-3333-4444-555555555555'
const UID2 = '99999999-2222-3333-4444-555555555555'
const STATIC = '0123456789abcdef0123456789abcdef'

function record(p: TestPod): PodRecord {
  const r = podRecord(pod(p))
  if (r === undefined) throw new Error('test pod did not map')
  return r
}

const podRef = (podUid: string): CgroupRef => ({ id: `/kubepods/pod${podUid}`, kind: 'pod', podUid })
const containerRef = (podUid: string | undefined, containerId: string): CgroupRef => ({
  id: `/kubepods/pod${podUid}/${containerId}`,
  kind: 'container',
  ...(podUid === undefined ? {} : { podUid }),
  containerId,
})

const web = record({
  uid: UID,
  name: 'web-0',
  namespace: 'shop',
  containers: [
    { name: 'app', id: A },
    { name: 'sidecar', id: B },
  ],
})
const starting = record({ uid: UID, name: 'web-0', namespace: 'shop', containers: [{ name: 'app', id: A }, { name: 'sidecar' }] })
const mirror = record({
  uid: UID2,
  name: 'etcd-node-a',
  namespace: 'kube-system',
  annotations: { 'kubernetes.io/config.mirror': STATIC },
  containers: [{ name: 'etcd', id: A }],
})

t.test('names()', async (t) => {
  const index = new PodIndex()
  index.upsert(web)
  const shop = (container: string): object => ({ namespace: 'shop', pod: 'web-0', container })
  const cases: [string, CgroupRef, object][] = [
    ['pod', podRef(UID), shop('')],
    ['container', containerRef(UID, A), shop('app')],
    ['second container', containerRef(UID, B), shop('sidecar')],
    ['unknown container of a fully started pod is the sandbox', containerRef(UID, SANDBOX), shop('POD')],
    ['known container without pod UID on the ref', containerRef(undefined, A), shop('app')],
    ['unknown container, no pod UID', containerRef(undefined, SANDBOX), NO_NAMES],
    ['unknown pod', podRef(UID2), NO_NAMES],
    ['unknown container of an unknown pod', containerRef(UID2, SANDBOX), NO_NAMES],
    ['pod ref without UID', { id: '/kubepods/x', kind: 'pod' }, NO_NAMES],
    ['container ref without container ID', { id: '/kubepods/x/y', kind: 'container', podUid: UID }, NO_NAMES],
    ['all-scope cgroup', { id: '/system.slice', kind: 'cgroup', podUid: UID }, NO_NAMES],
  ]
  for (const [name, ref, want] of cases) t.same(index.names(ref), want, name)
  t.equal(index.names(containerRef(UID, A)), index.names(containerRef(UID, A)), 'the same object each time: no allocation per scrape')
})

t.test('a container not started yet: unknown containers get no name, not POD', async (t) => {
  const index = new PodIndex()
  index.upsert(starting)
  t.same(index.names(containerRef(UID, A)), { namespace: 'shop', pod: 'web-0', container: 'app' })
  t.equal(index.names(containerRef(UID, SANDBOX)), NO_NAMES, 'could be the sidecar whose start the API has not reported')
  index.upsert(web)
  t.same(index.names(containerRef(UID, SANDBOX)).container, 'POD', 'once all have IDs, the leftover is the sandbox')
})

t.test('static pod: found under the mirror UID and the static UID', async (t) => {
  const index = new PodIndex()
  index.upsert(mirror)
  const want = { namespace: 'kube-system', pod: 'etcd-node-a', container: '' }
  t.same(index.names(podRef(STATIC)), want, 'kubelet names the cgroup after the static UID')
  t.same(index.names(podRef(UID2)), want)
  t.same(index.names(containerRef(STATIC, SANDBOX)).container, 'POD')
  t.equal(index.pod(STATIC)?.uid, UID2, 'PodMeta keeps the API UID')
  index.remove(mirror.key)
  t.equal(index.names(podRef(STATIC)), NO_NAMES)
  t.equal(index.pod(UID2), undefined)
})

t.test('pod(), container(), pods(), size', async (t) => {
  const index = new PodIndex()
  t.equal(index.size, 0)
  t.same([...index.pods()], [])
  index.upsert(web)
  index.upsert(mirror)
  t.equal(index.size, 2)
  t.same(index.pod(UID), { uid: UID, namespace: 'shop', name: 'web-0', node: 'node-a', qos: 'burstable' })
  t.equal(index.container(B)?.name, 'sidecar')
  t.equal(index.container(SANDBOX), undefined, 'the sandbox is not a container the API knows')
  t.same([...index.pods()].map((p) => p.name).sort(), ['etcd-node-a', 'web-0'])
})

t.test('upsert replaces by namespace/name; remove forgets everything', async (t) => {
  const index = new PodIndex()
  index.upsert(web)
  // Recreated under the same name while the watch was down: the relist brings a new UID as an update.
  const recreated = record({ uid: UID2, name: 'web-0', namespace: 'shop', containers: [{ name: 'app', id: 'e'.repeat(64) }] })
  index.upsert(recreated)
  t.equal(index.size, 1)
  t.equal(index.pod(UID), undefined, 'old UID gone')
  t.equal(index.container(A), undefined, 'old container IDs gone')
  t.equal(index.names(containerRef(UID, A)), NO_NAMES)
  t.equal(index.pod(UID2)?.name, 'web-0')
  t.equal(index.container('e'.repeat(64))?.podUid, UID2)

  // A restart: the new status drops nothing but adds an ID.
  index.upsert(record({ uid: UID2, name: 'web-0', namespace: 'shop', containers: [{ name: 'app', id: '1'.repeat(64) }] }))
  t.equal(index.container('e'.repeat(64)), undefined, 'IDs no longer in status are forgotten')
  t.equal(index.container('1'.repeat(64))?.name, 'app')

  index.remove('shop/web-0')
  t.equal(index.size, 0)
  t.equal(index.container('1'.repeat(64)), undefined)
  t.equal(index.names(podRef(UID2)), NO_NAMES)
  index.remove('shop/web-0')
  index.remove('nobody/here')
  t.equal(index.size, 0, 'removing the unknown is a no-op')
})

t.test('remove does not drop entries another pod now owns', async (t) => {
  const index = new PodIndex()
  index.upsert(web)
  // Another pod claims container A (not possible in a real cluster; the index must stay sane).
  const other = record({ uid: UID2, name: 'other', namespace: 'shop', containers: [{ name: 'x', id: A }] })
  index.upsert(other)
  index.remove(web.key)
  t.equal(index.container(A)?.name, 'x')
})
