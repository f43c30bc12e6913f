import t from 'tap'
import type { CgroupRef } from '../../agent/model.js'
import { KillDetector } from '../../agent/oom/detector.js'

const pod: CgroupRef = { id: '/kubepods/burstable/podA', kind: 'pod', podUid: 'A' }
const c1: CgroupRef = { id: '/kubepods/burstable/podA/c1', kind: 'container', podUid: 'A', containerId: 'c1' }
const c2: CgroupRef = { id: '/kubepods/burstable/podA/c2', kind: 'container', podUid: 'A', containerId: 'c2' }

t.test("a container's own counter moving is a kill of that container", async (t) => {
  const d = new KillDetector('v2')
  const present = new Set([c1.id])
  t.equal(d.container(c1, pod.id, 0, 0), undefined, 'the first sample only sets the baseline')
  d.pod(pod, 0, present, 0)
  t.equal(d.container(c1, pod.id, 0, 1000), undefined, 'a quiet container is never a kill')
  t.equal(d.pod(pod, 0, present, 1000), undefined)
  t.strictSame(d.container(c1, pod.id, 2, 2000), { ref: c1, podId: pod.id, kills: 2, vanished: false })
  t.equal(d.pod(pod, 2, present, 2000), undefined, "the pod's rise is the container's, already explained")
  t.equal(d.container(c1, pod.id, 2, 3000), undefined, 'counted once')
})

t.test('v2: a pod counter rise after the container cgroup vanished is pinned on that container', async (t) => {
  const d = new KillDetector('v2')
  d.container(c1, pod.id, 0, 0)
  d.container(c2, pod.id, 0, 0)
  d.pod(pod, 0, new Set([c1.id, c2.id]), 0)
  d.container(c2, pod.id, 0, 5000)
  // c1 was killed and removed between two polls; its replacement has a new id.
  t.strictSame(d.pod(pod, 1, new Set([c2.id]), 5000), { ref: c1, podId: pod.id, kills: 1, vanished: true })
})

t.test('v2: a rise with no container gone is a pod-level kill', async (t) => {
  const d = new KillDetector('v2')
  d.container(c1, pod.id, 0, 0)
  d.pod(pod, 3, new Set([c1.id]), 0)
  d.container(c1, pod.id, 0, 1000)
  t.strictSame(d.pod(pod, 4, new Set([c1.id]), 1000), { ref: pod, podId: pod.id, kills: 1, vanished: false })
})

t.test('v1: pod counters are per cgroup, never a container kill', async (t) => {
  const d = new KillDetector('v1')
  d.container(c1, pod.id, 0, 0)
  d.pod(pod, 0, new Set([c1.id]), 0)
  t.equal(d.pod(pod, 1, new Set(), 1000), undefined)
})

t.test('absent counters and counter resets are not kills', async (t) => {
  const d = new KillDetector('v2')
  d.container(c1, pod.id, undefined, 0)
  t.equal(d.container(c1, pod.id, 1, 1000), undefined, 'no baseline')
  t.equal(d.container(c1, pod.id, 0, 2000), undefined, 'a drop (new cgroup) is not a kill')
  d.prune(10_000)
  t.equal(d.container(c1, pod.id, 5, 11_000), undefined, 'forgotten: a new baseline')
})
