// What the Kubernetes side tells the rest of the agent. The cgroup side never imports the
// API client: it asks a MetadataSource, which is empty until the API has answered.
import type { CgroupRef, KubeNames, QosClass } from '../model.js'

export interface PodMeta {
  readonly uid: string
  readonly namespace: string
  readonly name: string
  readonly node: string
  readonly qos?: QosClass
}

export interface ContainerMeta {
  readonly podUid: string
  readonly name: string
  readonly image: string
  /** resources.requests.memory from the pod spec, in bytes; absent when not set. */
  readonly requestBytes?: number
}

export interface MetadataSource {
  /** Names for a discovered cgroup; empty strings for what is not known (yet). */
  names(ref: CgroupRef): KubeNames
  pod(uid: string): PodMeta | undefined
  container(containerId: string): ContainerMeta | undefined
  /** Every pod of this node the API has told us about. */
  pods(): Iterable<PodMeta>
}

export const NO_NAMES: KubeNames = Object.freeze({ namespace: '', pod: '', container: '' })

/** The source used without Kubernetes: every name stays empty. */
export const noMetadata: MetadataSource = {
  names: () => NO_NAMES,
  pod: () => undefined,
  container: () => undefined,
  pods: () => [],
}
