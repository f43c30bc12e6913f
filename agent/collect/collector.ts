// The polling loop. Each cycle walks discovery and reads every cgroup synchronously (the
// cheapest way through cgroupfs), but yields to the event loop every `sliceMs` so scrapes
// and probes stay responsive. Scrapes never touch cgroup files: they read `latest`.
// Listeners get every snapshot: the per-container history of a later issue hangs here.
import type { Logger } from 'pino'
import { discover, OUTSIDE_REFRESH_MS, OutsideCache } from '../cgroup/discover.js'
import type { Hierarchy } from '../cgroup/hierarchy.js'
import { CgroupGoneError, MissingFileError, readCgroup, type ReadContext } from '../cgroup/read.js'
import { errorMessage, errorReason, type ErrorReason } from '../kernel/errors.js'
import { PseudoFileReader } from '../kernel/fs.js'
import { nativeState, type NativeState } from '../kernel/native.js'
import type { CgroupRef, CgroupSample, CycleStats, ProcessSummary, Scope, Snapshot } from '../model.js'
import type { OomTracker } from '../oom/tracker.js'
import { readProcesses, sumProcesses } from '../proc/processes.js'
import { EventsWatcher } from './events-watcher.js'
import { Slicer } from './slicer.js'
import { REAL_TIMERS, type Timers } from './timers.js'

export interface CollectorOptions {
  readonly hierarchy: Hierarchy
  readonly scope: Scope
  /** Only cgroups at or below this path (relative to the hierarchy root) are read. */
  readonly parent: string
  readonly logger: Logger
  /** Longest stretch of synchronous work before yielding to the event loop. */
  readonly sliceMs?: number
  /** Wall clock for collectedAtMs (default Date.now). */
  readonly now?: () => number
  /** The loop's clock and timers (default the real ones). */
  readonly timers?: Timers
  /** Read through the native addon when it loads (default true; config MEMLENS_NATIVE). */
  readonly nativeReader?: boolean
  /** Where /proc is: with it, each container's processes are read (the `processes` group). */
  readonly procRoot?: string
  /** History, peaks, fast sampling near the limit and OOM explanations. */
  readonly tracker?: OomTracker
  /** How often cgroups near their limit are sampled between polls (default 250 ms). */
  readonly fastIntervalMs?: number
  /** cgroup v2: sample a container the moment its memory.events changes (default on v2). */
  readonly watchEvents?: boolean
}

const DEFAULT_FAST_INTERVAL_MS = 250
/**
 * New failures logged one by one per cycle at most; the rest are summed up in one line. A
 * hostile tree (100k empty pod directories) must not write 100k warnings.
 */
export const WARNINGS_PER_CYCLE = 20

/** What failed for a cgroup: each is logged once until it recovers or changes. */
type FailedStep = 'list' | 'read' | 'processes'

interface Failure {
  readonly text: string
  /** Whether it got a warning of its own (else it was summed up): only then is recovery logged. */
  readonly logged: boolean
}

export type SnapshotListener = (snapshot: Snapshot, stats: CycleStats) => void

const byId = (a: CgroupSample, b: CgroupSample): number => (a.ref.id < b.ref.id ? -1 : a.ref.id > b.ref.id ? 1 : 0)

export class Collector {
  readonly #opts: CollectorOptions
  readonly #ctx: ReadContext
  readonly #listeners: SnapshotListener[] = []
  /** Failures by `step id`, logged once; logged again only after recovery or a new error. */
  readonly #failing = new Map<string, Failure>()
  #latest: Snapshot | undefined
  readonly #timers: Timers
  #timer: unknown
  #fastTimer: unknown
  #running: Promise<Snapshot> | undefined
  #stopped = true
  #events: EventsWatcher | undefined
  /** The container cgroups of the last poll, by id: what a memory.events change refers to. */
  #refs = new Map<string, CgroupRef>()
  /** Kubernetes scope: the directories outside the pod tree that discovery skips between full walks. */
  readonly #outside: OutsideCache

  constructor(opts: CollectorOptions) {
    this.#opts = opts
    this.#timers = opts.timers ?? REAL_TIMERS
    const timers = this.#timers
    this.#outside = new OutsideCache(OUTSIDE_REFRESH_MS, () => timers.now())
    const native: NativeState = opts.nativeReader === false ? { loaded: false, reason: 'MEMLENS_NATIVE=0' } : nativeState()
    this.#ctx = { root: opts.hierarchy.root, version: opts.hierarchy.version, reader: new PseudoFileReader({ native: native.loaded }) }
    opts.logger.debug(
      native.loaded ? { reader: 'native', path: native.path } : { reader: 'node:fs', reason: native.reason },
      'cgroup file reader',
    )
  }

  get latest(): Snapshot | undefined {
    return this.#latest
  }

  onSnapshot(listener: SnapshotListener): void {
    this.#listeners.push(listener)
  }

  /** Runs one cycle; concurrent callers share the cycle in flight. */
  collect(): Promise<Snapshot> {
    this.#running ??= this.#cycle().finally(() => {
      this.#running = undefined
    })
    return this.#running
  }

  /** Collects now and then every intervalMs, measured from the start of each cycle. */
  start(intervalMs: number): void {
    this.#stopped = false
    const { tracker, hierarchy, logger } = this.#opts
    if (tracker !== undefined && hierarchy.version === 'v2' && this.#opts.watchEvents !== false && this.#events === undefined) {
      this.#events = new EventsWatcher(hierarchy.root, (id) => this.#sampleNow(id), logger)
    }
    const tick = async (): Promise<void> => {
      const started = this.#timers.now()
      try {
        await this.collect()
      } catch (er) {
        this.#opts.logger.error({ err: er }, 'collection cycle failed')
      }
      if (this.#stopped) return
      const wait = Math.max(0, intervalMs - (this.#timers.now() - started))
      this.#timer = this.#timers.setTimeout(() => void tick(), wait)
    }
    void tick()
  }

  async stop(): Promise<void> {
    this.#stopped = true
    if (this.#timer !== undefined) this.#timers.clearTimeout(this.#timer)
    if (this.#fastTimer !== undefined) this.#timers.clearTimeout(this.#fastTimer)
    this.#fastTimer = undefined
    await this.#running?.catch(() => undefined)
    await this.#events?.close()
    this.#events = undefined
  }

  /** Watched containers (tests: watchers are released as cgroups go). */
  get watchedEvents(): number {
    return this.#events?.size ?? 0
  }

  /** memory.events changed: sample that cgroup now, between polls. */
  #sampleNow(id: string): void {
    const tracker = this.#opts.tracker
    const ref = this.#refs.get(id)
    if (tracker === undefined || ref === undefined || this.#stopped || this.#running !== undefined) return
    try {
      const reading = readCgroup(this.#ctx, id)
      const processes = this.#processesOf(ref, () => undefined)
      tracker.observeFast(ref, processes === undefined ? { reading } : { reading, processes }, (this.#opts.now ?? Date.now)())
    } catch {
      tracker.gone(id)
    }
    this.#scheduleFast()
  }

  async #cycle(): Promise<Snapshot> {
    const { logger, scope, parent } = this.#opts
    const slicer = new Slicer(this.#opts.sliceMs)
    const started = performance.now()
    const pods: CgroupSample[] = []
    const containers: CgroupSample[] = []
    const discovered = { pod: 0, container: 0, cgroup: 0 }
    const errors = new Map<ErrorReason, number>()
    const seenFailing = new Set<string>()
    let warned = 0
    const unlogged = new Map<ErrorReason, number>()
    const fail = (step: FailedStep, id: string, reason: ErrorReason, er: unknown, msg: string): void => {
      errors.set(reason, (errors.get(reason) ?? 0) + 1)
      const key = `${step} ${id}`
      seenFailing.add(key)
      const text = errorMessage(er)
      const before = this.#failing.get(key)
      if (before?.text === text) return
      const logged = warned < WARNINGS_PER_CYCLE
      if (logged) logger.warn({ cgroup: id, reason, err: text }, msg)
      else unlogged.set(reason, (unlogged.get(reason) ?? 0) + 1)
      warned++
      this.#failing.set(key, { text, logged })
    }
    const recovered = (step: FailedStep, id: string, msg: string): void => {
      // Nothing failing, the usual case: no key to build for every cgroup of every cycle.
      if (this.#failing.size === 0) return
      const key = `${step} ${id}`
      const before = this.#failing.get(key)
      if (before === undefined) return
      this.#failing.delete(key)
      if (before.logged) logger.info({ cgroup: id }, msg)
    }

    const refs = discover(this.#opts.hierarchy, {
      scope,
      parent,
      onError: (path, er) => fail('list', path, 'discovery', er, 'cannot list cgroup directory; skipped this cycle'),
      lister: this.#ctx.reader,
      outside: this.#outside,
    })
    for (const ref of refs) {
      discovered[ref.kind]++
      try {
        const reading = readCgroup(this.#ctx, ref.id)
        const processes = this.#processesOf(ref, fail)
        const sample: CgroupSample = processes === undefined ? { ref, reading } : { ref, reading, processes }
        ;(ref.kind === 'pod' ? pods : containers).push(sample)
        recovered('read', ref.id, 'cgroup readable again')
        if (processes !== undefined) recovered('processes', ref.id, 'processes of the cgroup readable again')
      } catch (er) {
        // A cgroup that vanished mid-read is the normal churn of a node, and one outside the
        // pod tree without the memory controller (or the v2 root) has no memory files to read:
        // both are skipped quietly. Pods and containers always have them.
        const quiet = er instanceof CgroupGoneError || (er instanceof MissingFileError && er.first && ref.kind === 'cgroup')
        if (!quiet) fail('read', ref.id, errorReason(er), er, 'cannot read cgroup; skipped this cycle')
      }
      await slicer.maybeYield()
    }
    if (unlogged.size > 0) {
      const more = [...unlogged.values()].reduce((a, b) => a + b, 0)
      logger.warn(
        { more, reasons: Object.fromEntries(unlogged), logged: WARNINGS_PER_CYCLE },
        'more cgroups failed for the first time this cycle than are logged one by one; all are counted in memlens_collect_errors_total',
      )
    }
    if (this.#opts.procRoot !== undefined) addPodProcesses(pods, containers)
    // Failures of cgroups that have since vanished are forgotten without a word.
    for (const key of this.#failing.keys()) if (!seenFailing.has(key)) this.#failing.delete(key)
    pods.sort(byId)
    containers.sort(byId)
    const collectedAtMs = (this.#opts.now ?? Date.now)()
    const tracked = this.#opts.tracker?.observeCycle(pods, containers, collectedAtMs) ?? { pods, containers }
    const snapshot: Snapshot = {
      cgroupVersion: this.#opts.hierarchy.version,
      scope,
      collectedAtMs,
      pods: tracked.pods,
      containers: tracked.containers,
    }
    const stats: CycleStats = { durationSeconds: (performance.now() - started) / 1000, discovered, errors }
    this.#latest = snapshot
    this.#refs = new Map(containers.map((c) => [c.ref.id, c.ref]))
    this.#events?.sync(new Set(this.#refs.keys()))
    for (const listener of this.#listeners) listener(snapshot, stats)
    this.#scheduleFast()
    return snapshot
  }

  /** A container's processes, when the process view is on; a failure leaves them absent, counted. */
  #processesOf(
    ref: CgroupRef,
    fail: (step: FailedStep, id: string, reason: ErrorReason, er: unknown, msg: string) => void,
  ): ProcessSummary | undefined {
    const procRoot = this.#opts.procRoot
    if (procRoot === undefined || ref.kind === 'pod') return undefined
    const dir = ref.id === '/' ? this.#ctx.root : this.#ctx.root + ref.id
    try {
      // Nested cgroups (all scope) count only their own processes; a container counts its
      // children too (crun's container/ child holds them).
      return readProcesses(this.#ctx.reader, dir, procRoot, ref.kind === 'container' ? undefined : 0)
    } catch (er) {
      fail('processes', ref.id, errorReason(er), er, 'cannot read the processes of a cgroup; process RSS left out')
      return undefined
    }
  }

  /** Between polls, cgroups near their limit are read every fastIntervalMs (docs/oom.md). */
  #scheduleFast(): void {
    const tracker = this.#opts.tracker
    if (tracker === undefined || this.#stopped || this.#fastTimer !== undefined) return
    if (tracker.fastRefs().length === 0) return
    this.#fastTimer = this.#timers.setTimeout(() => {
      this.#fastTimer = undefined
      if (this.#stopped || this.#running !== undefined) return
      const now = (this.#opts.now ?? Date.now)()
      for (const ref of tracker.fastRefs()) {
        try {
          const reading = readCgroup(this.#ctx, ref.id)
          const processes = this.#processesOf(ref, () => undefined)
          tracker.observeFast(ref, processes === undefined ? { reading } : { reading, processes }, now)
        } catch {
          // Gone (killed and removed, often) or unreadable: the next poll reports it.
          tracker.gone(ref.id)
        }
      }
      this.#scheduleFast()
    }, this.#opts.fastIntervalMs ?? DEFAULT_FAST_INTERVAL_MS)
  }
}

/** A pod's processes are its containers' (never read twice). */
function addPodProcesses(pods: CgroupSample[], containers: readonly CgroupSample[]): void {
  const byUid = new Map<string, ProcessSummary[]>()
  for (const c of containers) {
    if (c.ref.podUid === undefined || c.processes === undefined) continue
    const list = byUid.get(c.ref.podUid) ?? []
    list.push(c.processes)
    byUid.set(c.ref.podUid, list)
  }
  for (let i = 0; i < pods.length; i++) {
    const p = pods[i]
    const parts = p?.ref.podUid === undefined ? undefined : byUid.get(p.ref.podUid)
    if (p !== undefined && parts !== undefined) pods[i] = { ...p, processes: sumProcesses(parts) }
  }
}
