// The kubelet's cgroup path grammar (docs/kernel.md §2), pure: no filesystem access.
//
//   cgroupfs  /kubepods[/burstable|/besteffort]/pod<uid>/<container>
//   systemd   /kubepods.slice[/kubepods-<qos>.slice]/kubepods[-<qos>]-pod<uid_>.slice/<container>
//
// Kubelet's --cgroup-root adds any prefix in front (kind: /kubelet.slice/kubelet-kubepods.slice,
// whose systemd names then all start with `kubelet-kubepods`). Container directories are named
// by the runtime: `<64hex>` (containerd, docker on cgroupfs), `cri-containerd-<id>.scope`,
// `crio-<id>[.scope]`, `docker-<id>.scope`; `crio-conmon-<id>[.scope]` is CRI-O's monitor.
// A containerd on cgroupfs under a systemd kubelet takes the systemd triple literally and creates
// `<pod-slice>:cri-containerd:<id>` wherever it resolves relative paths: that name carries the
// pod UID and QoS itself, so it is recognised wherever it appears.
//
// The walk is a fold over path segments (`enter`), so discovery classifies each directory in
// O(1) from its parent's position instead of re-parsing whole paths.
import type { QosClass, Runtime } from '../model.js'

/** Where a cgroup sits in the kubelet grammar, given the positions of its ancestors. */
export type Position =
  /** Not under a kubepods root (yet): the hierarchy root, /system.slice, a --cgroup-root prefix. */
  | { readonly at: 'outside' }
  /** Under a kubepods root but off the grammar: only self-describing container names count. */
  | { readonly at: 'stray' }
  /** `slice` is the systemd name prefix (`kubepods`, `kubelet-kubepods`); undefined on cgroupfs. */
  | { readonly at: 'kubepods'; readonly slice: string | undefined }
  | { readonly at: 'qos'; readonly slice: string | undefined; readonly qos: QosClass }
  | { readonly at: 'pod'; readonly podUid: string; readonly qos: QosClass }
  | {
      readonly at: 'container'
      readonly podUid: string
      readonly qos: QosClass
      readonly containerId: string
      /** Undefined for a bare `<64hex>` name: containerd and docker both use it on cgroupfs. */
      readonly runtime: Runtime | undefined
    }
  /** A cgroup that is not a container although it sits among them (crio-conmon). */
  | { readonly at: 'ignored' }

export type PodPosition = Extract<Position, { at: 'pod' }>
export type ContainerPosition = Extract<Position, { at: 'container' }>

export const OUTSIDE: Position = { at: 'outside' }
const STRAY: Position = { at: 'stray' }
const IGNORED: Position = { at: 'ignored' }

const HEX64 = '[0-9a-f]{64}'
// A pod UID is a UUID; static pods use the 32-hex hash of their manifest instead.
const UID_DASHED = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{32}'
const UID_UNDERSCORED = '[0-9a-f]{8}_[0-9a-f]{4}_[0-9a-f]{4}_[0-9a-f]{4}_[0-9a-f]{12}|[0-9a-f]{32}'

const CGROUPFS_POD = new RegExp(`^pod(${UID_DASHED})$`)
// `kubepods-burstable-pod<uid_>` (no `.slice`); group 1 is the kubepods name prefix.
const SYSTEMD_POD_UNIT = new RegExp(`^((?:[^/]*-)?kubepods)(?:-(burstable|besteffort))?-pod(${UID_UNDERSCORED})$`)
const SYSTEMD_KUBEPODS = /^((?:[^/]*-)?kubepods)\.slice$/
const MISMATCH = new RegExp(`^([^/]+)\\.slice:(cri-containerd|crio|docker):(${HEX64})$`)
const MISMATCH_CONMON = new RegExp(`^[^/]+\\.slice:crio-conmon:${HEX64}$`)

const CONTAINER_NAMES: readonly { readonly re: RegExp; readonly runtime: Runtime | undefined }[] = [
  { re: new RegExp(`^(${HEX64})$`), runtime: undefined },
  { re: new RegExp(`^cri-containerd-(${HEX64})\\.scope$`), runtime: 'containerd' },
  { re: new RegExp(`^crio-(${HEX64})(?:\\.scope)?$`), runtime: 'cri-o' },
  { re: new RegExp(`^docker-(${HEX64})\\.scope$`), runtime: 'docker' },
]
const CONMON = new RegExp(`^crio-conmon-${HEX64}(?:\\.scope)?$`)

const MISMATCH_RUNTIMES: Readonly<Record<string, Runtime>> = {
  'cri-containerd': 'containerd',
  crio: 'cri-o',
  docker: 'docker',
}

/** True for a directory name that roots a kubelet pod tree (`kubepods`, `*kubepods.slice`). */
export function isKubepodsRoot(name: string): boolean {
  return name === 'kubepods' || SYSTEMD_KUBEPODS.test(name)
}

/** True when discovery must not look below this position. */
export function isTerminal(pos: Position): boolean {
  return pos.at === 'container' || pos.at === 'ignored'
}

/** The position of the child directory `name` of a cgroup at `parent`. */
export function enter(parent: Position, name: string): Position {
  switch (parent.at) {
    case 'container':
    case 'ignored':
      // Below a container is the container (crun's `container/` child belongs to the scope).
      return IGNORED
    case 'outside':
      return enterOutside(name)
    case 'stray':
      return selfDescribing(name) ?? STRAY
    case 'kubepods':
      return enterKubepods(parent.slice, name)
    case 'qos':
      return enterQos(parent.slice, parent.qos, name)
    case 'pod':
      return containerIn(parent, name) ?? selfDescribing(name) ?? STRAY
  }
}

/** Folds `enter` over a path relative to the hierarchy root ('/' is the root itself). */
export function positionOf(path: string): Position {
  let pos = OUTSIDE
  for (const name of path.split('/')) {
    if (name !== '') pos = enter(pos, name)
  }
  return pos
}

/** What a cgroup path is in kubelet terms: a pod, a container, or neither (undefined). */
export function classify(path: string): PodPosition | ContainerPosition | undefined {
  const pos = positionOf(path)
  return pos.at === 'pod' || pos.at === 'container' ? pos : undefined
}

function enterOutside(name: string): Position {
  if (name === 'kubepods') return { at: 'kubepods', slice: undefined }
  const systemd = SYSTEMD_KUBEPODS.exec(name)
  if (systemd?.[1] !== undefined) return { at: 'kubepods', slice: systemd[1] }
  return selfDescribing(name) ?? OUTSIDE
}

function enterKubepods(slice: string | undefined, name: string): Position {
  if (slice === undefined) {
    if (name === 'burstable' || name === 'besteffort') return { at: 'qos', slice, qos: name }
    return cgroupfsPod(name, 'guaranteed') ?? selfDescribing(name) ?? STRAY
  }
  if (name === `${slice}-burstable.slice`) return { at: 'qos', slice, qos: 'burstable' }
  if (name === `${slice}-besteffort.slice`) return { at: 'qos', slice, qos: 'besteffort' }
  return systemdPod(slice, 'guaranteed', name) ?? selfDescribing(name) ?? STRAY
}

function enterQos(slice: string | undefined, qos: QosClass, name: string): Position {
  const pod = slice === undefined ? cgroupfsPod(name, qos) : systemdPod(slice, qos, name)
  return pod ?? selfDescribing(name) ?? STRAY
}

function cgroupfsPod(name: string, qos: QosClass): PodPosition | undefined {
  const uid = CGROUPFS_POD.exec(name)?.[1]
  return uid === undefined ? undefined : { at: 'pod', podUid: uid, qos }
}

function systemdPod(slice: string, qos: QosClass, name: string): PodPosition | undefined {
  if (!name.endsWith('.slice')) return undefined
  const pod = parsePodUnit(name.slice(0, -'.slice'.length))
  // The unit name repeats its ancestry; a mismatch means it is not where kubelet puts pods.
  return pod !== undefined && pod.slice === slice && pod.qos === qos ? pod.pod : undefined
}

function parsePodUnit(unit: string): { readonly slice: string; readonly qos: QosClass; readonly pod: PodPosition } | undefined {
  const m = SYSTEMD_POD_UNIT.exec(unit)
  const slice = m?.[1]
  const uid = m?.[3]
  if (m === null || slice === undefined || uid === undefined) return undefined
  const qos: QosClass = m[2] === 'burstable' || m[2] === 'besteffort' ? m[2] : 'guaranteed'
  return { slice, qos, pod: { at: 'pod', podUid: uid.replaceAll('_', '-'), qos } }
}

function containerIn(pod: PodPosition, name: string): Position | undefined {
  if (CONMON.test(name)) return IGNORED
  for (const { re, runtime } of CONTAINER_NAMES) {
    const id = re.exec(name)?.[1]
    if (id !== undefined) return { at: 'container', podUid: pod.podUid, qos: pod.qos, containerId: id, runtime }
  }
  return undefined
}

/** `<pod-slice>:<runtime prefix>:<id>`, valid wherever it appears. */
function selfDescribing(name: string): Position | undefined {
  // Cheap guard: this runs on every directory outside the pod tree.
  if (!name.includes(':')) return undefined
  if (MISMATCH_CONMON.test(name)) return IGNORED
  const m = MISMATCH.exec(name)
  if (m === null) return undefined
  const [, unit = '', prefix = '', id = ''] = m
  const pod = parsePodUnit(unit)
  const runtime = MISMATCH_RUNTIMES[prefix]
  if (pod === undefined || runtime === undefined) return undefined
  return { at: 'container', podUid: pod.pod.podUid, qos: pod.qos, containerId: id, runtime }
}
