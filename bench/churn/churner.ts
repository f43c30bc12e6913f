// Pods and containers created and removed in a generated tree while the agent reads it.
// On cgroupfs a cgroup appears and vanishes whole (mkdir, rmdir); on tmpfs files are written
// and removed one by one, so each cgroup is built in a staging directory and renamed into
// place, and renamed out to a trash directory before it is deleted: the agent never sees a
// half-made or half-removed cgroup, only ones that vanish between two of its reads.
import { mkdirSync, renameSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import type { FakeApiServer } from '../agent-api.js'
import { apiPodFor } from '../kube-fixture.js'
import { containerDirName, kubepodsOf, planPod, writePod, type GeneratedTree, type PlannedPod } from '../tree/gen-tree.js'
import { hex } from '../tree/rng.js'

interface LivePod {
  /** Its number: the API names it bench-<n>. */
  readonly n: number
  pod: PlannedPod
}

export interface ChurnCounts {
  podsCreated: number
  podsRemoved: number
  containersRestarted: number
}

export class Churner {
  readonly counts: ChurnCounts = { podsCreated: 0, podsRemoved: 0, containersRestarted: 0 }
  readonly #tree: GeneratedTree
  readonly #api: FakeApiServer | undefined
  readonly #live: LivePod[]
  readonly #staging: string
  readonly #trash: string
  #next: number
  #seq = 0

  constructor(tree: GeneratedTree, api?: FakeApiServer) {
    this.#tree = tree
    this.#api = api
    this.#live = tree.expected.map((pod, n) => ({ n, pod }))
    this.#next = this.#live.length
    this.#staging = join(tree.base, 'staging')
    this.#trash = join(tree.base, 'trash')
    mkdirSync(this.#staging, { recursive: true })
    mkdirSync(this.#trash, { recursive: true })
  }

  /** The live cgroups, as the agent's `id` labels (relative to the hierarchy root). */
  liveIds(): { readonly pods: Set<string>; readonly containers: Set<string> } {
    const id = (dir: string): string => dir.slice(this.#tree.hierarchyRoot.length)
    const pods = new Set<string>()
    const containers = new Set<string>()
    for (const { pod } of this.#live) {
      pods.add(id(pod.podDir))
      for (const c of pod.containerIds) containers.add(id(join(pod.podDir, containerDirName(c))))
    }
    return { pods, containers }
  }

  /** Removes a random live pod and creates a new one in its place. */
  replacePod(): void {
    const i = Math.floor(this.#tree.writer.rand() * this.#live.length)
    const gone = this.#live[i]
    if (gone === undefined) return
    this.#remove(gone.pod.podDir)
    this.#api?.remove(apiPodFor(gone.pod, gone.n))
    this.counts.podsRemoved++

    const n = this.#next++
    const pod = planPod(this.#tree.writer.rand, n, kubepodsOf(this.#tree.hierarchyRoot), this.#tree.expected[0]?.containerIds.length ?? 1)
    const staged = this.#stagingDir()
    writePod(this.#tree.writer, pod, staged)
    renameSync(staged, pod.podDir)
    this.#live[i] = { n, pod }
    this.#api?.add(apiPodFor(pod, n))
    this.counts.podsCreated++
  }

  /** A container of a random live pod exits and a new one (new id) takes its place. */
  restartContainer(): void {
    const live = this.#live[Math.floor(this.#tree.writer.rand() * this.#live.length)]
    if (live === undefined || live.pod.containerIds.length === 0) return
    const { pod } = live
    const k = Math.floor(this.#tree.writer.rand() * pod.containerIds.length)
    const old = pod.containerIds[k]
    if (old === undefined) return
    this.#remove(join(pod.podDir, containerDirName(old)))
    const id = hex(this.#tree.writer.rand, 64)
    const staged = this.#stagingDir()
    this.#tree.writer.write(staged, 'container', pod.containerLimitBytes)
    renameSync(staged, join(pod.podDir, containerDirName(id)))
    live.pod = { ...pod, containerIds: pod.containerIds.map((c, j) => (j === k ? id : c)) }
    this.#api?.modify(apiPodFor(live.pod, live.n))
    this.counts.containersRestarted++
  }

  #stagingDir(): string {
    return join(this.#staging, String(this.#seq++))
  }

  #remove(dir: string): void {
    const away = join(this.#trash, String(this.#seq++))
    renameSync(dir, away)
    rmSync(away, { recursive: true, force: true })
  }
}
