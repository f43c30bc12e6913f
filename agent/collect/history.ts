// A short in-memory history per cgroup: every poll and fast sample of the last keepMs, so a
// kill can be explained from the window before it (docs/oom.md) even after the runtime has
// removed the killed container's cgroup, and so the peaks between scrapes can be served.
//
// At one poll a second a 60 s history of 200 cgroups is 12,000 samples. Kept as objects
// (the reading's MemoryBytes with a boxed number per field) that was ~7 MB of heap that every
// major GC walked; here each cgroup has one ring of doubles, 14 per sample (its time, the
// fields the classifier and the peaks read, NaN for absent), and a sample becomes an object
// again only when a kill is explained.
import { workingSet } from '../cgroup/formulas.js'
import type { CgroupSample, WindowPeaks } from '../model.js'
import { OOM_EVENT_FIELDS, OOM_MEMORY_FIELDS, type OomEvents, type OomMemory, type OomSample } from '../oom/window.js'

// Offsets in a sample's row: its time, then the memory fields, then the event counters.
const AT = 0
const MEMORY = 1
const EVENTS = MEMORY + OOM_MEMORY_FIELDS.length
const WIDTH = EVENTS + OOM_EVENT_FIELDS.length
const USAGE = MEMORY + OOM_MEMORY_FIELDS.indexOf('usageBytes')
const INACTIVE_FILE = MEMORY + OOM_MEMORY_FIELDS.indexOf('inactiveFileBytes')
const DIRTY = MEMORY + OOM_MEMORY_FIELDS.indexOf('dirtyBytes')
const WRITEBACK = MEMORY + OOM_MEMORY_FIELDS.indexOf('writebackBytes')
const UNRECLAIMABLE = MEMORY + OOM_MEMORY_FIELDS.indexOf('unreclaimableBytes')
const INITIAL_CAPACITY = 8

const stored = (v: number | undefined): number => (v === undefined ? NaN : v)
const value = (v: number): number | undefined => (Number.isNaN(v) ? undefined : v)
const higher = (a: number | undefined, b: number | undefined): number | undefined =>
  b === undefined ? a : a === undefined || b > a ? b : a

/** One cgroup's samples, oldest first, in a ring of rows that grows and shrinks by halves. */
class Ring {
  #rows = new Float64Array(INITIAL_CAPACITY * WIDTH)
  #capacity = INITIAL_CAPACITY
  #start = 0
  length = 0
  /** The newest sample as it was pushed, whole: what last() hands out without building one. */
  newest: OomSample | undefined

  /** Row i (0 = oldest) starts at this offset. */
  at(i: number): number {
    return ((this.#start + i) % this.#capacity) * WIDTH
  }

  get(offset: number): number {
    return this.#rows[offset] ?? NaN
  }

  push(atMs: number, memory: OomMemory, events: OomEvents): void {
    if (this.length === this.#capacity) this.#resize(this.#capacity * 2)
    const o = this.at(this.length)
    const rows = this.#rows
    rows[o + AT] = atMs
    for (let f = 0; f < OOM_MEMORY_FIELDS.length; f++) rows[o + MEMORY + f] = stored(memory[OOM_MEMORY_FIELDS[f] as keyof OomMemory])
    for (let f = 0; f < OOM_EVENT_FIELDS.length; f++) rows[o + EVENTS + f] = stored(events[OOM_EVENT_FIELDS[f] as keyof OomEvents])
    this.length++
  }

  /** Drops samples older than minAtMs. */
  dropBefore(minAtMs: number): void {
    while (this.length > 0 && this.get(this.at(0) + AT) < minAtMs) {
      this.#start = (this.#start + 1) % this.#capacity
      this.length--
    }
    if (this.#capacity > INITIAL_CAPACITY && this.length <= this.#capacity / 4) this.#resize(this.#capacity / 2)
  }

  sample(i: number): OomSample {
    const o = this.at(i)
    const memory: { -readonly [K in keyof OomMemory]: number } = {}
    const events: { -readonly [K in keyof OomEvents]: number } = {}
    OOM_MEMORY_FIELDS.forEach((name, f) => {
      const v = value(this.get(o + MEMORY + f))
      if (v !== undefined) memory[name] = v
    })
    OOM_EVENT_FIELDS.forEach((name, f) => {
      const v = value(this.get(o + EVENTS + f))
      if (v !== undefined) events[name] = v
    })
    return { atMs: this.get(o + AT), memory, events }
  }

  /** Copies the samples, oldest first, into a ring of this capacity: two copies, either side of the wrap. */
  #resize(capacity: number): void {
    const rows = new Float64Array(capacity * WIDTH)
    const tail = Math.min(this.length, this.#capacity - this.#start)
    rows.set(this.#rows.subarray(this.#start * WIDTH, (this.#start + tail) * WIDTH), 0)
    if (tail < this.length) rows.set(this.#rows.subarray(0, (this.length - tail) * WIDTH), tail * WIDTH)
    this.#rows = rows
    this.#capacity = capacity
    this.#start = 0
  }
}

export class History {
  readonly #keepMs: number
  readonly #byId = new Map<string, Ring>()

  constructor(keepMs: number) {
    this.#keepMs = keepMs
  }

  push(id: string, atMs: number, sample: Pick<CgroupSample, 'reading'>): void {
    let ring = this.#byId.get(id)
    if (ring === undefined) {
      ring = new Ring()
      this.#byId.set(id, ring)
    }
    const { memory, events } = sample.reading
    ring.push(atMs, memory, events)
    ring.newest = { atMs, memory, events }
    ring.dropBefore(atMs - this.#keepMs)
  }

  /** The cgroup's samples, oldest first, built now (a kill is being explained). */
  samples(id: string): readonly OomSample[] {
    const ring = this.#byId.get(id)
    if (ring === undefined) return []
    const out: OomSample[] = []
    for (let i = 0; i < ring.length; i++) out.push(ring.sample(i))
    return out
  }

  /** The latest sample of a cgroup, if it has one. */
  last(id: string): OomSample | undefined {
    const ring = this.#byId.get(id)
    return ring === undefined || ring.length === 0 ? undefined : ring.newest
  }

  /** Highest values over the windowMs before nowMs. */
  peaks(id: string, windowMs: number, nowMs: number): WindowPeaks | undefined {
    const ring = this.#byId.get(id)
    if (ring === undefined || ring.length === 0) return undefined
    let usage: number | undefined
    let wset: number | undefined
    let dirty: number | undefined
    let unreclaimable: number | undefined
    for (let i = ring.length - 1; i >= 0; i--) {
      const o = ring.at(i)
      if (ring.get(o + AT) < nowMs - windowMs) break
      const u = value(ring.get(o + USAGE))
      usage = higher(usage, u)
      wset = higher(wset, workingSet(u, value(ring.get(o + INACTIVE_FILE))))
      const d = value(ring.get(o + DIRTY))
      const w = value(ring.get(o + WRITEBACK))
      dirty = higher(dirty, d === undefined && w === undefined ? undefined : (d ?? 0) + (w ?? 0))
      unreclaimable = higher(unreclaimable, value(ring.get(o + UNRECLAIMABLE)))
    }
    return { usageBytes: usage, workingSetBytes: wset, dirtyWritebackBytes: dirty, unreclaimableBytes: unreclaimable }
  }

  /** Forgets cgroups whose latest sample is older than the history keeps. */
  prune(nowMs: number): void {
    for (const [id, ring] of this.#byId) {
      if (ring.length === 0 || ring.get(ring.at(ring.length - 1) + AT) < nowMs - this.#keepMs) this.#byId.delete(id)
    }
  }

  get size(): number {
    return this.#byId.size
  }
}
