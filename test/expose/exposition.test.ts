import t from 'tap'
import type { MetadataSource } from '../../agent/model.js'
import { noMetadata } from '../../agent/model.js'
import { escapeLabelValue, renderSnapshot } from '../../agent/expose/exposition.js'
import { CGROUP_FAMILIES } from '../../agent/expose/families.js'
import type { CgroupRef, MemoryReading, Snapshot } from '../../agent/model.js'

const reading = (over: Partial<MemoryReading['memory']> = {}): MemoryReading => ({
  memory: { usageBytes: 100, workingSetBytes: 60, dirtyBytes: 7, ...over },
  events: { oomKills: 2 },
  pressure: { waitingSeconds: 0.5 },
})
const container: CgroupRef = { id: '/kubepods/burstable/podaaa/c1', kind: 'container', podUid: 'aaa', containerId: 'c1' }
const pod: CgroupRef = { id: '/kubepods/burstable/podaaa', kind: 'pod', podUid: 'aaa' }
const snapshot: Snapshot = {
  cgroupVersion: 'v1',
  scope: 'kubernetes',
  collectedAtMs: 0,
  containers: [{ ref: container, reading: reading() }],
  pods: [{ ref: pod, reading: reading({ limitBytes: 1000 }) }],
}

t.test('renders present values only, with the label sets of the contract', async (t) => {
  const text = renderSnapshot(snapshot, { disabled: new Set(), metadata: noMetadata })
  t.match(text, 'memlens_container_memory_usage_bytes{id="/kubepods/burstable/podaaa/c1",namespace="",pod="",container=""} 100\n')
  t.match(text, 'memlens_container_memory_dirty_bytes{id="/kubepods/burstable/podaaa/c1",namespace="",pod="",container=""} 7\n')
  t.match(text, 'memlens_container_memory_oom_kills_total{id="/kubepods/burstable/podaaa/c1",namespace="",pod="",container=""} 2\n')
  t.match(
    text,
    'memlens_container_pressure_memory_waiting_seconds_total{id="/kubepods/burstable/podaaa/c1",namespace="",pod="",container=""} 0.5\n',
  )
  t.match(text, 'memlens_pod_memory_limit_bytes{id="/kubepods/burstable/podaaa",namespace="",pod=""} 1000\n')
  t.notMatch(text, 'memlens_container_memory_limit_bytes', 'absent limit: no series and no empty family')
  t.notMatch(text, 'memlens_container_memory_rss_bytes', 'absent is not zero')
  t.match(text, '# TYPE memlens_container_memory_oom_kills_total counter\n')
  t.match(text, '# TYPE memlens_pod_memory_usage_bytes gauge\n')
  t.notMatch(text, 'memlens_pod_info', 'no Kubernetes families without metadata')
})

t.test('groups can be switched off by name', async (t) => {
  const text = renderSnapshot(snapshot, { disabled: new Set(['pressure', 'pod']), metadata: noMetadata })
  t.notMatch(text, 'pressure_memory')
  t.notMatch(text, 'memlens_pod_')
  t.match(text, 'memlens_container_memory_usage_bytes')
  const none = renderSnapshot(snapshot, { disabled: new Set(['memory', 'events', 'pressure']), metadata: noMetadata })
  t.equal(none, '')
})

t.test('Kubernetes names, info and request series', async (t) => {
  const metadata: MetadataSource = {
    names: (ref) => ({ namespace: 'ns', pod: 'web-0', container: ref.kind === 'container' ? 'app' : '' }),
    pod: () => ({ uid: 'aaa', namespace: 'ns', name: 'web-0', node: 'n1', qos: 'burstable' }),
    container: () => ({ podUid: 'aaa', name: 'app', image: 'nginx:1', requestBytes: 64 }),
    pods: () => [{ uid: 'aaa', namespace: 'ns', name: 'web-0', node: 'n1', qos: 'burstable' }],
  }
  const text = renderSnapshot(snapshot, { disabled: new Set(), metadata })
  t.match(text, 'memlens_container_memory_usage_bytes{id="/kubepods/burstable/podaaa/c1",namespace="ns",pod="web-0",container="app"} 100\n')
  t.match(text, 'memlens_pod_memory_usage_bytes{id="/kubepods/burstable/podaaa",namespace="ns",pod="web-0"} 100\n')
  t.match(text, 'memlens_pod_info{namespace="ns",pod="web-0",pod_uid="aaa",node="n1",qos="burstable"} 1\n')
  t.match(
    text,
    'memlens_container_info{namespace="ns",pod="web-0",container="app",container_id="c1",image="nginx:1",id="/kubepods/burstable/podaaa/c1"} 1\n',
  )
  t.match(
    text,
    'memlens_container_memory_request_bytes{id="/kubepods/burstable/podaaa/c1",namespace="ns",pod="web-0",container="app"} 64\n',
  )
  const off = renderSnapshot(snapshot, { disabled: new Set(['kubernetes']), metadata })
  t.notMatch(off, '_info{')
})

t.test('label values are escaped', async (t) => {
  t.equal(escapeLabelValue('plain'), 'plain')
  t.equal(escapeLabelValue('a"b\\c\nd'), 'a\\"b\\\\c\\nd')
  const odd: Snapshot = { ...snapshot, containers: [{ ref: { id: '/we"ird\\path', kind: 'cgroup' }, reading: reading() }], pods: [] }
  t.match(renderSnapshot(odd, { disabled: new Set(), metadata: noMetadata }), 'id="/we\\"ird\\\\path"')
})

t.test('every family has help, a unit-bearing name and a known type', async (t) => {
  const seen = new Set<string>()
  for (const f of CGROUP_FAMILIES) {
    t.notOk(seen.has(f.suffix), `${f.suffix} unique`)
    seen.add(f.suffix)
    t.ok(f.help.length > 20, `${f.suffix} has help`)
    t.match(
      f.suffix,
      f.type === 'counter' ? /_total$/ : /_bytes$|^processes$/,
      'counters end in _total, gauges carry their unit (processes is a count)',
    )
  }
})
