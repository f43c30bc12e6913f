import t from 'tap'
import { parseQosClass, podRecord, stripRuntimePrefix } from '../../agent/kube/pod-record.js'

const A = 'a'.repeat(64)
const B = 'b'.repeat(64)
const OLD = 'c'.repeat(64)

// Return type inferred, so that cases can spread its parts.
function fullPod() {
  return {
    metadata: { uid: '11111111-2222-3333-4444-555555555555', namespace: 'shop', name: 'cart-0' },
    spec: {
      nodeName: 'node-a',
      initContainers: [{ name: 'migrate', image: 'migrate:1', resources: { requests: { memory: '64Mi' } } }],
      containers: [
        { name: 'app', image: 'shop/cart:2', resources: { requests: { memory: '1.5Gi', cpu: '100m' }, limits: { memory: '2Gi' } } },
        { name: 'proxy', image: 'envoy:1.30' },
      ],
    },
    status: {
      qosClass: 'Burstable',
      initContainerStatuses: [{ name: 'migrate', image: 'docker.io/library/migrate:1', containerID: `cri-o://${B}` }],
      containerStatuses: [
        {
          name: 'app',
          image: 'docker.io/shop/cart:2',
          containerID: `containerd://${A}`,
          lastState: { terminated: { containerID: `containerd://${OLD}` } },
        },
        { name: 'proxy', image: 'docker.io/library/envoy:1.30', containerID: 'docker://ddd' },
      ],
    },
  }
}

t.test('stripRuntimePrefix', async (t) => {
  const cases: [string, string][] = [
    [`containerd://${A}`, A],
    [`cri-o://${A}`, A],
    [`docker://${A}`, A],
    [A, A],
    ['', ''],
  ]
  for (const [input, want] of cases) t.equal(stripRuntimePrefix(input), want, input)
})

t.test('parseQosClass lowercases the API value and rejects others', async (t) => {
  const cases: [string | undefined, string | undefined][] = [
    ['Guaranteed', 'guaranteed'],
    ['Burstable', 'burstable'],
    ['BestEffort', 'besteffort'],
    ['besteffort', 'besteffort'],
    ['Premium', undefined],
    ['', undefined],
    [undefined, undefined],
  ]
  for (const [input, want] of cases) t.equal(parseQosClass(input), want, String(input))
})

t.test('podRecord maps a full pod', async (t) => {
  const r = podRecord(fullPod())
  if (r === undefined) throw new Error('no record')
  t.equal(r.key, 'shop/cart-0')
  t.same(r.meta, { uid: '11111111-2222-3333-4444-555555555555', namespace: 'shop', name: 'cart-0', node: 'node-a', qos: 'burstable' })
  t.same(r.names, { namespace: 'shop', pod: 'cart-0', container: '' })
  t.same(r.sandboxNames, { namespace: 'shop', pod: 'cart-0', container: 'POD' })
  t.same(r.cgroupUids, ['11111111-2222-3333-4444-555555555555'])
  t.equal(r.allContainersStarted, true)
  t.same([...r.containers.keys()].sort(), [A, B, OLD, 'ddd'].sort(), 'prefixes stripped; previous instance kept')
  t.same(r.containers.get(A)?.meta, { podUid: r.meta.uid, name: 'app', image: 'shop/cart:2', requestBytes: 1.5 * 2 ** 30 })
  t.equal(r.containers.get(OLD), r.containers.get(A), 'a restarted container keeps its name under the old ID')
  t.same(r.containers.get(B)?.meta, { podUid: r.meta.uid, name: 'migrate', image: 'migrate:1', requestBytes: 64 * 2 ** 20 })
  t.same(r.containers.get('ddd')?.meta, { podUid: r.meta.uid, name: 'proxy', image: 'envoy:1.30' }, 'no request: absent, not 0')
  t.notOk(Object.hasOwn(r.containers.get('ddd')?.meta ?? {}, 'requestBytes'))
  t.same(r.containers.get(A)?.names, { namespace: 'shop', pod: 'cart-0', container: 'app' })
  t.ok(Object.isFrozen(r.names) && Object.isFrozen(r.containers.get(A)?.names), 'names are shared, so frozen')
})

t.test('podRecord table', async (t) => {
  type Case = { name: string; pod: unknown; check: (r: ReturnType<typeof podRecord>) => void }
  const base = fullPod()
  const withStatus = (status: Record<string, unknown>): Record<string, unknown> => ({ ...base, status })
  const cases: Case[] = [
    { name: 'null', pod: null, check: (r) => t.equal(r, undefined) },
    { name: 'a string', pod: 'pod', check: (r) => t.equal(r, undefined) },
    { name: 'no metadata', pod: { spec: {} }, check: (r) => t.equal(r, undefined) },
    { name: 'no uid', pod: { metadata: { name: 'x', namespace: 'y' } }, check: (r) => t.equal(r, undefined) },
    { name: 'empty uid', pod: { metadata: { uid: '', name: 'x', namespace: 'y' } }, check: (r) => t.equal(r, undefined) },
    { name: 'uid not a string', pod: { metadata: { uid: 7, name: 'x', namespace: 'y' } }, check: (r) => t.equal(r, undefined) },
    {
      name: 'metadata only: no spec, no status',
      pod: { metadata: { uid: 'u', name: 'x', namespace: 'y' } },
      check: (r) => {
        t.same(r?.meta, { uid: 'u', namespace: 'y', name: 'x', node: '' }, 'qos absent, node empty')
        t.equal(r?.containers.size, 0)
        t.equal(r?.allContainersStarted, false, 'no spec containers: cannot tell a sandbox')
      },
    },
    {
      name: 'a container not started yet',
      pod: withStatus({
        qosClass: 'Guaranteed',
        containerStatuses: [{ name: 'app', containerID: `containerd://${A}` }, { name: 'proxy' }],
      }),
      check: (r) => {
        t.equal(r?.allContainersStarted, false)
        t.equal(r?.meta.qos, 'guaranteed')
        t.equal(r?.containers.get(A)?.meta.image, 'shop/cart:2')
      },
    },
    {
      name: 'an init container without status yet',
      pod: withStatus({
        containerStatuses: [
          { name: 'app', containerID: `containerd://${A}` },
          { name: 'proxy', containerID: 'containerd://ddd' },
        ],
      }),
      check: (r) => t.equal(r?.allContainersStarted, false),
    },
    {
      name: 'an ephemeral container added to the spec, not started yet',
      pod: {
        ...base,
        spec: { ...base.spec, ephemeralContainers: [{ name: 'debug', image: 'busybox' }] },
      },
      check: (r) => t.equal(r?.allContainersStarted, false),
    },
    {
      name: 'an ephemeral container running',
      pod: {
        ...base,
        spec: { ...base.spec, ephemeralContainers: [{ name: 'debug', image: 'busybox' }] },
        status: { ...base.status, ephemeralContainerStatuses: [{ name: 'debug', containerID: 'containerd://eee' }] },
      },
      check: (r) => {
        t.equal(r?.allContainersStarted, true)
        t.same(r?.containers.get('eee')?.meta, { podUid: '11111111-2222-3333-4444-555555555555', name: 'debug', image: 'busybox' })
      },
    },
    {
      name: 'status for a container missing from the spec uses the status image',
      pod: withStatus({ containerStatuses: [{ name: 'ghost', image: 'ghost:1', containerID: 'containerd://fff' }] }),
      check: (r) =>
        t.same(r?.containers.get('fff')?.meta, { podUid: '11111111-2222-3333-4444-555555555555', name: 'ghost', image: 'ghost:1' }),
    },
    {
      name: 'malformed fields are skipped, not fatal',
      pod: {
        metadata: { uid: 'u', name: 'x', namespace: 'y', annotations: 'nope' },
        spec: { nodeName: 5, containers: [null, 'x', { image: 'no-name' }, { name: 'app', resources: { requests: { memory: 'lots' } } }] },
        status: { qosClass: 3, containerStatuses: { name: 'not-an-array' } },
      },
      check: (r) => {
        t.same(r?.meta, { uid: 'u', namespace: 'y', name: 'x', node: '' })
        t.same(r?.cgroupUids, ['u'])
        t.equal(r?.containers.size, 0)
      },
    },
    {
      name: 'a bad or negative memory request is absent',
      pod: {
        metadata: { uid: 'u', name: 'x', namespace: 'y' },
        spec: {
          containers: [
            { name: 'a', resources: { requests: { memory: '-1Gi' } } },
            { name: 'b', resources: { requests: { memory: '12 Mi' } } },
          ],
        },
        status: {
          containerStatuses: [
            { name: 'a', containerID: 'containerd://1' },
            { name: 'b', containerID: 'containerd://2' },
          ],
        },
      },
      check: (r) => {
        t.equal(r?.containers.get('1')?.meta.requestBytes, undefined)
        t.equal(r?.containers.get('2')?.meta.requestBytes, undefined)
      },
    },
    {
      name: "a static pod's mirror is also found under kubelet's static UID",
      pod: { ...base, metadata: { ...base.metadata, annotations: { 'kubernetes.io/config.mirror': '0123456789abcdef0123456789abcdef' } } },
      check: (r) => t.same(r?.cgroupUids, ['11111111-2222-3333-4444-555555555555', '0123456789abcdef0123456789abcdef']),
    },
  ]
  for (const c of cases) t.test(c.name, async () => c.check(podRecord(c.pod)))
})
