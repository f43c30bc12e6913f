// The pods of this node, indexed the ways cgroup discovery asks: by pod UID and container ID.
// Pure and synchronous; the watcher feeds it, tests feed it literals.
//
// Keyed first by namespace/name, as the API's list and watch are: a pod deleted and recreated
// under the same name while the watch was down comes back from the relist as an update with a
// new UID, and the old UID's entries must go with it.
import type { CgroupRef, KubeNames } from '../model.js'
import type { PodRecord, ContainerRecord } from './pod-record.js'
import { NO_NAMES, type ContainerMeta, type MetadataSource, type PodMeta } from '../model.js'

export class PodIndex implements MetadataSource {
  readonly #byKey = new Map<string, PodRecord>()
  readonly #byUid = new Map<string, PodRecord>()
  readonly #byContainer = new Map<string, ContainerRecord>()

  get size(): number {
    return this.#byKey.size
  }

  upsert(record: PodRecord): void {
    this.remove(record.key)
    this.#byKey.set(record.key, record)
    for (const uid of record.cgroupUids) this.#byUid.set(uid, record)
    for (const [id, c] of record.containers) this.#byContainer.set(id, c)
  }

  remove(key: string): void {
    const old = this.#byKey.get(key)
    if (old === undefined) return
    this.#byKey.delete(key)
    // Only drop entries that still point at this pod: IDs are unique, but be safe if not.
    for (const uid of old.cgroupUids) if (this.#byUid.get(uid) === old) this.#byUid.delete(uid)
    for (const [id, c] of old.containers) if (this.#byContainer.get(id) === c) this.#byContainer.delete(id)
  }

  names(ref: CgroupRef): KubeNames {
    if (ref.kind === 'pod') {
      return ref.podUid === undefined ? NO_NAMES : (this.#byUid.get(ref.podUid)?.names ?? NO_NAMES)
    }
    if (ref.kind !== 'container' || ref.containerId === undefined) return NO_NAMES
    const container = this.#byContainer.get(ref.containerId)
    if (container !== undefined) return container.names
    const pod = ref.podUid === undefined ? undefined : this.#byUid.get(ref.podUid)
    // An unknown container in a pod whose containers are all accounted for is the sandbox
    // ("pause"), which the API never lists.
    return pod?.allContainersStarted ? pod.sandboxNames : NO_NAMES
  }

  pod(uid: string): PodMeta | undefined {
    return this.#byUid.get(uid)?.meta
  }

  container(containerId: string): ContainerMeta | undefined {
    return this.#byContainer.get(containerId)?.meta
  }

  *pods(): Iterable<PodMeta> {
    for (const record of this.#byKey.values()) yield record.meta
  }
}
