import t from 'tap'
import { classify, enter, isKubepodsRoot, isTerminal, OUTSIDE, positionOf } from '../../agent/cgroup/layout.js'

const UID = '0b7c6e3a-1f2d-4c5b-9a8e-7d6c5b4a3f21'
const UID_ = UID.replaceAll('-', '_')
const STATIC = 'c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6'
const ID = 'a3f9c2e1b4d5a6f7e8d9c0b1a2f3e4d5c6b7a8f9e0d1c2b3a4f5e6d7c8b9a0f1'

type Expected =
  | { readonly kind: 'pod'; readonly podUid: string; readonly qos: string }
  | {
      readonly kind: 'container'
      readonly podUid: string
      readonly qos: string
      readonly containerId: string
      readonly runtime: string | undefined
    }
  | undefined

const pod = (podUid: string, qos: string): Expected => ({ kind: 'pod', podUid, qos })
const ctr = (podUid: string, qos: string, runtime: string | undefined): Expected => ({
  kind: 'container',
  podUid,
  qos,
  containerId: ID,
  runtime,
})

const CASES: readonly (readonly [string, Expected])[] = [
  // cgroupfs pods
  [`/kubepods/pod${UID}`, pod(UID, 'guaranteed')],
  [`/kubepods/burstable/pod${UID}`, pod(UID, 'burstable')],
  [`/kubepods/besteffort/pod${UID}`, pod(UID, 'besteffort')],
  // systemd pods
  [`/kubepods.slice/kubepods-pod${UID_}.slice`, pod(UID, 'guaranteed')],
  [`/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${UID_}.slice`, pod(UID, 'burstable')],
  [`/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod${UID_}.slice`, pod(UID, 'besteffort')],
  // static pods keep their 32-hex UID
  [`/kubepods/burstable/pod${STATIC}`, pod(STATIC, 'burstable')],
  [`/kubepods.slice/kubepods-pod${STATIC}.slice`, pod(STATIC, 'guaranteed')],
  [
    `/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${STATIC}.slice/cri-containerd-${ID}.scope`,
    ctr(STATIC, 'burstable', 'containerd'),
  ],
  // kubelet --cgroup-root prefixes
  [
    `/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-besteffort.slice/kubelet-kubepods-besteffort-pod${UID_}.slice`,
    pod(UID, 'besteffort'),
  ],
  [
    `/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-besteffort.slice/kubelet-kubepods-besteffort-pod${UID_}.slice/cri-containerd-${ID}.scope`,
    ctr(UID, 'besteffort', 'containerd'),
  ],
  [`/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-pod${UID_}.slice`, pod(UID, 'guaranteed')],
  [`/kubelet/kubepods/burstable/pod${UID}/${ID}`, ctr(UID, 'burstable', undefined)],
  [`/kubelet/kubepods/pod${UID}`, pod(UID, 'guaranteed')],
  // kind seen from the host: the node container's cgroup in front
  [`/system.slice/docker-${ID}.scope/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-pod${UID_}.slice`, pod(UID, 'guaranteed')],
  // containerd (cgroupfs: bare id; docker looks the same, so no runtime)
  [`/kubepods/pod${UID}/${ID}`, ctr(UID, 'guaranteed', undefined)],
  [`/kubepods/besteffort/pod${UID}/${ID}`, ctr(UID, 'besteffort', undefined)],
  [
    `/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${UID_}.slice/cri-containerd-${ID}.scope`,
    ctr(UID, 'burstable', 'containerd'),
  ],
  // CRI-O
  [`/kubepods/burstable/pod${UID}/crio-${ID}`, ctr(UID, 'burstable', 'cri-o')],
  [`/kubepods.slice/kubepods-pod${UID_}.slice/crio-${ID}.scope`, ctr(UID, 'guaranteed', 'cri-o')],
  // crun's container/ child belongs to the scope; conmon is not a container
  [`/kubepods.slice/kubepods-pod${UID_}.slice/crio-${ID}.scope/container`, undefined],
  [`/kubepods.slice/kubepods-pod${UID_}.slice/crio-conmon-${ID}.scope`, undefined],
  [`/kubepods/burstable/pod${UID}/crio-conmon-${ID}`, undefined],
  // Docker
  [`/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod${UID_}.slice/docker-${ID}.scope`, ctr(UID, 'besteffort', 'docker')],
  // containerd on cgroupfs under a systemd kubelet: the name carries pod and QoS, anywhere
  [`/kubepods-burstable-pod${UID_}.slice:cri-containerd:${ID}`, ctr(UID, 'burstable', 'containerd')],
  [`/kubepods-pod${UID_}.slice:cri-containerd:${ID}`, ctr(UID, 'guaranteed', 'containerd')],
  [
    `/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${UID_}.slice/kubepods-burstable-pod${UID_}.slice:cri-containerd:${ID}`,
    ctr(UID, 'burstable', 'containerd'),
  ],
  [`/system.slice/containerd.service/kubepods-besteffort-pod${UID_}.slice:cri-containerd:${ID}`, ctr(UID, 'besteffort', 'containerd')],
  [`/kubelet-kubepods-besteffort-pod${STATIC}.slice:cri-containerd:${ID}`, ctr(STATIC, 'besteffort', 'containerd')],
  [`/kubepods-pod${UID_}.slice:crio:${ID}`, ctr(UID, 'guaranteed', 'cri-o')],
  [`/kubepods-pod${UID_}.slice:crio-conmon:${ID}`, undefined],

  // near misses: roots, QoS levels and services are not pods
  ['/', undefined],
  ['/kubepods', undefined],
  ['/kubepods/burstable', undefined],
  ['/kubepods.slice', undefined],
  ['/kubepods.slice/kubepods-burstable.slice', undefined],
  ['/system.slice/containerd.service', undefined],
  ['/system.slice/kubelet.service', undefined],
  ['/user.slice/user-1000.slice/session-3.scope', undefined],
  // a runtime's container outside any pod
  [`/system.slice/docker-${ID}.scope`, undefined],
  [`/docker/${ID}`, undefined],
  [`/${ID}`, undefined],
  [`/kubepods/${ID}`, undefined],
  [`/kubepods.slice/cri-containerd-${ID}.scope`, undefined],
  // malformed UIDs and names
  [`/kubepods/pod${UID_}`, undefined],
  [`/kubepods/pod${UID.toUpperCase()}`, undefined],
  [`/kubepods/pod${UID.slice(1)}`, undefined],
  [`/kubepods/pod${STATIC}0`, undefined],
  [`/kubepods/burstable/pod`, undefined],
  [`/kubepods/guaranteed/pod${UID}`, undefined],
  [`/kubepods.slice/kubepods-pod${UID}.slice`, undefined],
  [`/kubepods.slice/kubepods-pod${UID_}`, undefined],
  // systemd names must repeat their ancestry
  [`/kubepods.slice/kubepods-burstable-pod${UID_}.slice`, undefined],
  [`/kubepods.slice/kubepods-burstable.slice/kubepods-besteffort-pod${UID_}.slice`, undefined],
  [`/kubepods.slice/kubepods-burstable.slice/kubepods-pod${UID_}.slice`, undefined],
  [`/kubelet.slice/kubelet-kubepods.slice/kubepods-pod${UID_}.slice`, undefined],
  [`/kubepods.slice/kubepods-pod${UID_}.slice/kubepods-pod${UID_}.slice`, undefined],
  // containers with bad ids, or below another container
  [`/kubepods/pod${UID}/${ID.slice(1)}`, undefined],
  [`/kubepods/pod${UID}/${ID}0`, undefined],
  [`/kubepods/pod${UID}/${ID.toUpperCase()}`, undefined],
  [`/kubepods/pod${UID}/containerd-${ID}.scope`, undefined],
  [`/kubepods/pod${UID}/cri-containerd-${ID}`, undefined],
  [`/kubepods/pod${UID}/docker-${ID}`, undefined],
  [`/kubepods/pod${UID}/${ID}/${ID}`, undefined],
  [`/kubepods/pod${UID}/stray/${ID}`, undefined],
  // mismatch names that do not name a pod slice
  [`/system.slice:cri-containerd:${ID}`, undefined],
  [`/kubepods-burstable-pod${UID_}:cri-containerd:${ID}`, undefined],
  [`/kubepods-burstable-pod${UID_}.slice:runc:${ID}`, undefined],
  [`/kubepods-burstable-pod${UID_}.slice:cri-containerd:${ID.slice(2)}`, undefined],
]

t.test('classify: every kubelet layout and the near misses', async (t) => {
  for (const [path, want] of CASES) {
    const got = classify(path)
    if (want === undefined) t.equal(got, undefined, path)
    else {
      const { at, ...rest } = got ?? { at: undefined }
      t.strictSame({ kind: at, ...rest }, want, path)
    }
  }
})

t.test('trailing and doubled slashes do not change the answer', async (t) => {
  t.strictSame(classify(`/kubepods//burstable/pod${UID}/`), classify(`/kubepods/burstable/pod${UID}`))
  t.strictSame(classify(`kubepods/pod${UID}`), classify(`/kubepods/pod${UID}`))
})

t.test('enter folds the same way as classify', async (t) => {
  const steps = ['kubepods.slice', 'kubepods-burstable.slice', `kubepods-burstable-pod${UID_}.slice`, `cri-containerd-${ID}.scope`]
  let pos = OUTSIDE
  for (const name of steps) pos = enter(pos, name)
  t.strictSame(pos, positionOf(`/${steps.join('/')}`))
  t.equal(isTerminal(pos), true, 'a container is a leaf')
  t.equal(isTerminal(enter(pos, 'container')), true, 'and so is what is below it')
  t.equal(isTerminal(positionOf(`/kubepods/pod${UID}/crio-conmon-${ID}`)), true, 'conmon is not walked')
  t.equal(isTerminal(positionOf(`/kubepods/pod${UID}`)), false)
  t.equal(isTerminal(positionOf('/system.slice')), false)
})

t.test('isKubepodsRoot', async (t) => {
  for (const name of ['kubepods', 'kubepods.slice', 'kubelet-kubepods.slice']) t.equal(isKubepodsRoot(name), true, name)
  for (const name of ['kubepods-burstable.slice', 'kubepodsx', 'kubepods.service', 'burstable', 'system.slice']) {
    t.equal(isKubepodsRoot(name), false, name)
  }
})
