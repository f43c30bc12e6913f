// A short in-memory history per cgroup: every poll and fast sample of the last keepMs, so a
// kill can be explained from the window before it (docs/oom.md) even after the runtime has
// removed the killed container's cgroup, and so the peaks between scrapes can be served.
import { workingSet } from '../cgroup/formulas.js'
import type { CgroupSample, WindowPeaks } from '../model.js'
import type { OomSample } from '../oom/window.js'

export class History {
  readonly #keepMs: number
  readonly #byId = new Map<string, OomSample[]>()

  constructor(keepMs: number) {
    this.#keepMs = keepMs
  }

  push(id: string, atMs: number, sample: Pick<CgroupSample, 'reading'>): void {
    let list = this.#byId.get(id)
    if (list === undefined) {
      list = []
      this.#byId.set(id, list)
    }
    list.push({ atMs, memory: sample.reading.memory, events: sample.reading.events })
    let drop = 0
    while (drop < list.length && (list[drop]?.atMs ?? atMs) < atMs - this.#keepMs) drop++
    if (drop > 0) list.splice(0, drop)
  }

  samples(id: string): readonly OomSample[] {
    return this.#byId.get(id) ?? []
  }

  /** The latest sample of a cgroup, if it has one. */
  last(id: string): OomSample | undefined {
    const list = this.#byId.get(id)
    return list?.[list.length - 1]
  }

  /** Highest values over the windowMs before nowMs. */
  peaks(id: string, windowMs: number, nowMs: number): WindowPeaks | undefined {
    const list = this.#byId.get(id)
    if (list === undefined || list.length === 0) return undefined
    let usage: number | undefined
    let wset: number | undefined
    let dirty: number | undefined
    let unreclaimable: number | undefined
    const max = (a: number | undefined, b: number | undefined): number | undefined =>
      b === undefined ? a : a === undefined || b > a ? b : a
    for (let i = list.length - 1; i >= 0; i--) {
      const s = list[i]
      if (s === undefined || s.atMs < nowMs - windowMs) break
      const m = s.memory
      usage = max(usage, m.usageBytes)
      wset = max(wset, workingSet(m.usageBytes, m.inactiveFileBytes))
      dirty = max(
        dirty,
        m.dirtyBytes === undefined && m.writebackBytes === undefined ? undefined : (m.dirtyBytes ?? 0) + (m.writebackBytes ?? 0),
      )
      unreclaimable = max(unreclaimable, m.unreclaimableBytes)
    }
    return { usageBytes: usage, workingSetBytes: wset, dirtyWritebackBytes: dirty, unreclaimableBytes: unreclaimable }
  }

  /** Forgets cgroups whose latest sample is older than the history keeps. */
  prune(nowMs: number): void {
    for (const [id, list] of this.#byId) {
      const last = list[list.length - 1]
      if (last === undefined || last.atMs < nowMs - this.#keepMs) this.#byId.delete(id)
    }
  }

  get size(): number {
    return this.#byId.size
  }
}
