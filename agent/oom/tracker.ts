// The OOM side of a collection: keeps the history, finds kills, classifies them and keeps
// the explanations (docs/oom.md). The collector feeds it every poll and every fast sample;
// it returns the samples with their peaks and OOM summaries attached.
import { History } from '../collect/history.js'
import type { CgroupRef, CgroupSample, CgroupVersion, MetadataSource, OomRecord, ProcessSummary } from '../model.js'
import { classifyOom } from './classify.js'
import { KillDetector, type KillFound } from './detector.js'
import type { KmsgReader } from './kmsg-reader.js'
import { isCalm, isNearLimit } from './near-limit.js'

export interface OomTrackerOptions {
  readonly version: CgroupVersion
  readonly metadata: MetadataSource
  /** The window the peak gauges cover. */
  readonly peakWindowMs: number
  /** How much history a kill is explained from. */
  readonly historyMs?: number
  /** How many explanations /api/v1/ooms keeps. */
  readonly keep?: number
  /** The kernel log, when it can be read: its report gives the exact numbers at the kill. */
  readonly kmsg?: KmsgReader
}

export type OomListener = (record: OomRecord) => void

const DEFAULT_HISTORY_MS = 60_000
const DEFAULT_KEEP = 100

export class OomTracker {
  readonly #opts: OomTrackerOptions
  readonly #history: History
  readonly #detector: KillDetector
  readonly #records: OomRecord[] = []
  readonly #listeners: OomListener[] = []
  readonly #byCgroup = new Map<string, { kills: number; lastCause: OomRecord['cause']; lastAtMs: number }>()
  readonly #processes = new Map<string, ProcessSummary>()
  /** Cgroups sampled fast: near their limit, or hitting it. */
  readonly #fast = new Map<string, CgroupRef>()
  /** Container id → its pod cgroup id, from the last poll (fast samples have no pod list). */
  readonly #podOf = new Map<string, string>()

  constructor(opts: OomTrackerOptions) {
    this.#opts = opts
    this.#history = new History(Math.max(opts.historyMs ?? DEFAULT_HISTORY_MS, opts.peakWindowMs))
    this.#detector = new KillDetector(opts.version)
  }

  onOom(listener: OomListener): void {
    this.#listeners.push(listener)
  }

  /** Most recent first. */
  records(): readonly OomRecord[] {
    return this.#records
  }

  /** The cgroups to sample fast until the next poll. */
  fastRefs(): CgroupRef[] {
    return [...this.#fast.values()]
  }

  /** One poll: every pod and container. Returns the samples with peaks and OOM summaries. */
  observeCycle(
    pods: readonly CgroupSample[],
    containers: readonly CgroupSample[],
    atMs: number,
  ): { pods: CgroupSample[]; containers: CgroupSample[] } {
    // Read the kernel log every poll, so its buffer never overwrites a report before a kill is seen.
    this.#opts.kmsg?.drain(atMs)
    const present = new Set<string>()
    const podByUid = new Map<string, string>()
    for (const p of pods) if (p.ref.podUid !== undefined) podByUid.set(p.ref.podUid, p.ref.id)
    this.#podOf.clear()
    const outContainers = containers.map((s) => {
      present.add(s.ref.id)
      // The last view with processes in it: at the kill the victim may already be gone.
      if (s.processes !== undefined && s.processes.count > 0) this.#processes.set(s.ref.id, s.processes)
      const podId = s.ref.podUid === undefined ? undefined : podByUid.get(s.ref.podUid)
      if (podId !== undefined) this.#podOf.set(s.ref.id, podId)
      this.#sample(s.ref, s, atMs, podId)
      return this.#enrich(s, atMs)
    })
    const outPods = pods.map((s) => {
      this.#push(s.ref.id, s, atMs)
      const kill = this.#detector.pod(s.ref, s.reading.events.oomKills, present, atMs)
      if (kill !== undefined) this.#explain(kill, atMs)
      return this.#enrich(s, atMs)
    })
    for (const id of [...this.#processes.keys()]) if (!present.has(id) && this.#history.last(id) === undefined) this.#processes.delete(id)
    this.#history.prune(atMs)
    this.#detector.prune(atMs - (this.#opts.historyMs ?? DEFAULT_HISTORY_MS))
    return { pods: outPods, containers: outContainers }
  }

  /** A fast sample of one cgroup between polls. */
  observeFast(ref: CgroupRef, sample: Pick<CgroupSample, 'reading' | 'processes'>, atMs: number): void {
    // Processes too: a program killed a second after it started is seen only by fast samples.
    if (sample.processes !== undefined && sample.processes.count > 0) this.#processes.set(ref.id, sample.processes)
    this.#sample(ref, sample, atMs, this.#podOf.get(ref.id))
  }

  /** The cgroup went away while it was sampled fast. */
  gone(id: string): void {
    this.#fast.delete(id)
  }

  #sample(ref: CgroupRef, s: Pick<CgroupSample, 'reading'>, atMs: number, podId: string | undefined): void {
    const previous = this.#history.last(ref.id)
    this.#push(ref.id, s, atMs)
    const current = { memory: s.reading.memory, events: s.reading.events }
    if (isNearLimit(current, previous)) this.#fast.set(ref.id, ref)
    else if (previous !== undefined && isCalm(current, previous)) this.#fast.delete(ref.id)
    const kill = this.#detector.container(ref, podId, s.reading.events.oomKills, atMs)
    if (kill !== undefined) this.#explain(kill, atMs)
  }

  #push(id: string, s: Pick<CgroupSample, 'reading'>, atMs: number): void {
    this.#history.push(id, atMs, s)
  }

  #enrich(s: CgroupSample, atMs: number): CgroupSample {
    const peaks = this.#history.peaks(s.ref.id, this.#opts.peakWindowMs, atMs)
    const oom = this.#byCgroup.get(s.ref.id)
    return { ...s, ...(peaks === undefined ? {} : { peaks }), ...(oom === undefined ? {} : { oom }) }
  }

  #explain(kill: KillFound, atMs: number): void {
    const { ref } = kill
    const container = this.#history.samples(ref.id)
    const pod = kill.podId === undefined || kill.podId === ref.id ? undefined : this.#history.samples(kill.podId)
    const processes = this.#processes.get(ref.id)
    this.#opts.kmsg?.drain(atMs)
    const kernel = this.#opts.kmsg?.take(ref.id)
    const explanation = classifyOom({
      ...(kernel === undefined ? {} : { kernel }),
      container,
      ...(pod === undefined ? {} : { pod }),
      ...(processes === undefined ? {} : { processes }),
      containerCgroup: ref.id,
      ...(kill.podId === undefined ? {} : { podCgroup: kill.podId }),
    })
    const names = this.#opts.metadata.names(ref)
    const record: OomRecord = {
      atMs,
      id: ref.id,
      ...(ref.podUid === undefined ? {} : { podUid: ref.podUid }),
      ...(ref.containerId === undefined ? {} : { containerId: ref.containerId }),
      namespace: names.namespace,
      pod: names.pod,
      container: names.container,
      cause: explanation.cause,
      scope: explanation.scope,
      kills: kill.kills,
      message: explanation.message,
      evidence: explanation.evidence,
      advice: explanation.advice,
      numbers: { ...explanation.numbers },
      fromKernelReport: explanation.numbers.source === 'kernel',
    }
    const summary = this.#byCgroup.get(ref.id)
    this.#byCgroup.set(ref.id, { kills: (summary?.kills ?? 0) + kill.kills, lastCause: record.cause, lastAtMs: atMs })
    this.#records.unshift(record)
    this.#records.length = Math.min(this.#records.length, this.#opts.keep ?? DEFAULT_KEEP)
    for (const listener of this.#listeners) listener(record)
  }
}
