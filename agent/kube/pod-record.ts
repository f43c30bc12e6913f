// One API Pod object → what memlens needs to name its cgroups. Pure: plain objects in, plain
// objects out, so it is tested on literals. Works on both shapes the client library hands us:
// deserialized V1Pod from a list and raw JSON from a watch event (same field names).
import { QOS_CLASSES, type KubeNames, type QosClass } from '../model.js'
import { field, objectsField, stringField } from './guards.js'
import { parseQuantity } from './quantity.js'
import type { ContainerMeta, PodMeta } from '../model.js'

/** kubelet's annotation on a static pod's mirror: the UID kubelet (and so the cgroup) uses. */
export const MIRROR_ANNOTATION = 'kubernetes.io/config.mirror'

/** The `container` label of the pod sandbox, as cAdvisor names it. */
export const SANDBOX_CONTAINER = 'POD'

export interface ContainerRecord {
  readonly meta: ContainerMeta
  readonly names: KubeNames
}

export interface PodRecord {
  /** namespace/name: the identity the API's list and watch use. */
  readonly key: string
  readonly meta: PodMeta
  readonly names: KubeNames
  readonly sandboxNames: KubeNames
  /** UIDs kubelet may have named the pod cgroup after: metadata.uid, and a mirror pod's static UID. */
  readonly cgroupUids: readonly string[]
  /** By container ID without runtime prefix; includes the previous instance of restarted containers. */
  readonly containers: ReadonlyMap<string, ContainerRecord>
  /**
   * Every container of the spec has an ID in status. Only then can an unknown container cgroup
   * be the sandbox rather than a container whose start the API has not reported yet.
   */
  readonly allContainersStarted: boolean
}

const SPEC_LISTS = ['initContainers', 'containers', 'ephemeralContainers'] as const
const STATUS_LISTS = ['initContainerStatuses', 'containerStatuses', 'ephemeralContainerStatuses'] as const

/** `containerd://abc…` → `abc…`; the cgroup path carries the bare ID. */
export function stripRuntimePrefix(containerId: string): string {
  const i = containerId.indexOf('://')
  return i < 0 ? containerId : containerId.slice(i + 3)
}

export function parseQosClass(value: string | undefined): QosClass | undefined {
  const lower = value?.toLowerCase()
  return QOS_CLASSES.find((q) => q === lower)
}

interface SpecContainer {
  readonly image: string
  readonly requestBytes?: number
}

function specContainers(spec: unknown): Map<string, SpecContainer> {
  const out = new Map<string, SpecContainer>()
  for (const list of SPEC_LISTS) {
    for (const c of objectsField(spec, list)) {
      const name = stringField(c, 'name')
      if (name === undefined) continue
      const memory = stringField(field(field(c, 'resources'), 'requests'), 'memory')
      const requestBytes = memory === undefined ? undefined : parseQuantity(memory)
      out.set(name, {
        image: stringField(c, 'image') ?? '',
        // A negative request cannot pass API validation; treat it as garbage, not a size.
        ...(requestBytes !== undefined && requestBytes >= 0 ? { requestBytes } : {}),
      })
    }
  }
  return out
}

/** The record for a pod, or undefined when the object lacks uid, namespace or name. */
export function podRecord(pod: unknown): PodRecord | undefined {
  const metadata = field(pod, 'metadata')
  const uid = stringField(metadata, 'uid')
  const namespace = stringField(metadata, 'namespace')
  const name = stringField(metadata, 'name')
  if (!uid || !namespace || !name) return undefined
  const spec = field(pod, 'spec')
  const status = field(pod, 'status')

  const qos = parseQosClass(stringField(status, 'qosClass'))
  const meta: PodMeta = { uid, namespace, name, node: stringField(spec, 'nodeName') ?? '', ...(qos ? { qos } : {}) }
  const names: KubeNames = Object.freeze({ namespace, pod: name, container: '' })
  const sandboxNames: KubeNames = Object.freeze({ namespace, pod: name, container: SANDBOX_CONTAINER })

  const mirrorUid = stringField(field(metadata, 'annotations'), MIRROR_ANNOTATION)
  const cgroupUids = mirrorUid && mirrorUid !== uid ? [uid, mirrorUid] : [uid]

  const specs = specContainers(spec)
  const started = new Set<string>()
  const containers = new Map<string, ContainerRecord>()
  for (const list of STATUS_LISTS) {
    for (const s of objectsField(status, list)) {
      const containerName = stringField(s, 'name')
      if (containerName === undefined) continue
      const fromSpec = specs.get(containerName)
      const record: ContainerRecord = {
        meta: {
          podUid: uid,
          name: containerName,
          // The spec image is what the user wrote; status.image may be a resolved digest or ID.
          image: fromSpec?.image || stringField(s, 'image') || '',
          ...(fromSpec?.requestBytes !== undefined ? { requestBytes: fromSpec.requestBytes } : {}),
        },
        names: Object.freeze({ namespace, pod: name, container: containerName }),
      }
      // The previous instance's cgroup can outlive a restart for a moment; without this it
      // would be taken for the sandbox.
      const previous = stringField(field(field(s, 'lastState'), 'terminated'), 'containerID')
      if (previous) containers.set(stripRuntimePrefix(previous), record)
      const current = stringField(s, 'containerID')
      if (current) {
        containers.set(stripRuntimePrefix(current), record)
        started.add(containerName)
      }
    }
  }
  const allContainersStarted = specs.size > 0 && [...specs.keys()].every((n) => started.has(n))

  return { key: `${namespace}/${name}`, meta, names, sandboxNames, cgroupUids, containers, allContainersStarted }
}
