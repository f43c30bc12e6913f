// Detecting a kill and choosing what to explain it with (docs/oom.md "Detecting a kill").
//
// - A container's own counter moved (v2 memory.events oom_kill, hierarchical; v1
//   memory.oom_control oom_kill, per cgroup): the container was killed.
// - v2 only: the pod's counter moved more than its containers' did. The runtime removes a
//   killed container's cgroup soon after, often before the next poll; the kill is then
//   pinned on the pod's container that vanished, explained from the history kept for it.
//   v1 pod counters count only the pod cgroup's own kills and stay 0 for container kills.
// Pure bookkeeping: the caller feeds samples and gets back what to classify.
import type { CgroupRef, CgroupVersion } from '../model.js'

export interface KillFound {
  /** The cgroup whose history explains the kill: the container, or the pod. */
  readonly ref: CgroupRef
  /** The pod cgroup, when the kill is inside a pod. */
  readonly podId?: string
  readonly kills: number
  /** The container's cgroup had already gone when the kill was seen. */
  readonly vanished: boolean
}

interface Known {
  readonly ref: CgroupRef
  oomKills: number | undefined
  lastSeenMs: number
}

export class KillDetector {
  readonly #version: CgroupVersion
  readonly #containers = new Map<string, Known>()
  readonly #pods = new Map<string, Known>()
  /** Kills attributed to containers of a pod since the pod's counter was last compared. */
  readonly #explainedInPod = new Map<string, number>()

  constructor(version: CgroupVersion) {
    this.#version = version
  }

  /** A container (or, in all scope, any cgroup) sample; a kill found in it, if any. */
  container(ref: CgroupRef, podId: string | undefined, oomKills: number | undefined, atMs: number): KillFound | undefined {
    const known = this.#containers.get(ref.id)
    this.#containers.set(ref.id, { ref, oomKills, lastSeenMs: atMs })
    if (known === undefined || known.oomKills === undefined || oomKills === undefined || oomKills <= known.oomKills) return undefined
    const kills = oomKills - known.oomKills
    if (podId !== undefined) this.#explainedInPod.set(podId, (this.#explainedInPod.get(podId) ?? 0) + kills)
    return { ref, ...(podId === undefined ? {} : { podId }), kills, vanished: false }
  }

  /**
   * A pod sample, after its containers' samples of the same cycle. `present` are the ids of
   * the containers this cycle found. On v2 a rise the containers do not account for is a kill
   * in a container that is gone, or in the pod cgroup itself.
   */
  pod(ref: CgroupRef, oomKills: number | undefined, present: ReadonlySet<string>, atMs: number): KillFound | undefined {
    const known = this.#pods.get(ref.id)
    this.#pods.set(ref.id, { ref, oomKills, lastSeenMs: atMs })
    const explained = this.#explainedInPod.get(ref.id) ?? 0
    this.#explainedInPod.delete(ref.id)
    if (this.#version !== 'v2' || known?.oomKills === undefined || oomKills === undefined) return undefined
    const unexplained = oomKills - known.oomKills - explained
    if (unexplained <= 0) return undefined
    // The most recently seen container of this pod that is not there any more.
    let gone: Known | undefined
    for (const c of this.#containers.values()) {
      if (present.has(c.ref.id) || !c.ref.id.startsWith(`${ref.id}/`)) continue
      if (gone === undefined || c.lastSeenMs > gone.lastSeenMs) gone = c
    }
    if (gone !== undefined) return { ref: gone.ref, podId: ref.id, kills: unexplained, vanished: true }
    return { ref, podId: ref.id, kills: unexplained, vanished: false }
  }

  /** Forgets cgroups not seen since before cutoffMs. */
  prune(cutoffMs: number): void {
    for (const map of [this.#containers, this.#pods]) for (const [id, k] of map) if (k.lastSeenMs < cutoffMs) map.delete(id)
  }
}
