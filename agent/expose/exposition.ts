// Renders a snapshot as Prometheus text exposition, once per collection cycle, into bytes.
// A scrape then sends a ready Buffer, however many cgroups the node has (prom-client's
// Gauge.set + registry.metrics() for 50k labelled series costs ~100 ms and ~150 MB here).
// prom-client still owns the agent's own metrics (see self.ts); this writer owns the
// per-cgroup table. Label sets are encoded once per cgroup and cached across cycles;
// rendering yields between families so the event loop stays free.
import type { MetadataSource } from '../model.js'
import type { CgroupRef, CgroupSample, KubeNames, Snapshot } from '../model.js'
import { ByteWriter } from './byte-writer.js'
import type { MetricGroup } from '../config.js'
import { CGROUP_FAMILIES, type CgroupFamily } from './families.js'
import { CONTAINER_PREFIX, INFO_METRICS, POD_PREFIX } from './metric-names.js'

/** Escapes a label value as the text format requires: backslash, double quote, newline. */
export function escapeLabelValue(value: string): string {
  if (!/[\\"\n]/.test(value)) return value
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')
}

function labels(pairs: readonly (readonly [string, string])[]): string {
  let out = ''
  for (const [k, v] of pairs) out += `${out === '' ? '' : ','}${k}="${escapeLabelValue(v)}"`
  return out
}

export interface RenderOptions {
  readonly disabled: ReadonlySet<MetricGroup>
  readonly metadata: MetadataSource
}

interface CachedLabels {
  readonly namespace: string
  readonly pod: string
  readonly container: string
  /** `{id="…",namespace="…",…} ` encoded, ready to follow a metric name. */
  readonly bytes: Buffer
}

const NEWLINE = 10
const familyNames = (prefix: string): readonly Buffer[] => CGROUP_FAMILIES.map((f) => Buffer.from(prefix + f.suffix, 'latin1'))
const CONTAINER_NAMES = familyNames(CONTAINER_PREFIX)
const POD_NAMES = familyNames(POD_PREFIX)

export class SnapshotRenderer {
  readonly #writer = new ByteWriter()
  /** Per level, by cgroup id: the encoded label set, kept while the cgroup lives. */
  readonly #labels = { container: new Map<string, CachedLabels>(), pod: new Map<string, CachedLabels>() }

  /** Renders at once (tests, `snapshot`); the agent drives steps() in slices instead. */
  render(snapshot: Snapshot, opts: RenderOptions): Buffer {
    const chunks: Buffer[] = []
    for (const chunk of this.steps(snapshot, opts)) chunks.push(Buffer.from(chunk))
    return Buffer.concat(chunks)
  }

  /**
   * Renders in steps: yields the text of each family (or group of families) as a view of
   * the writer's buffer, valid until the next step. The caller copies or consumes it.
   */
  *steps(snapshot: Snapshot, opts: RenderOptions): Generator<Buffer, void, undefined> {
    const { disabled, metadata } = opts
    const w = this.#writer
    w.reset()
    const containerNames = snapshot.containers.map((s) => metadata.names(s.ref))
    if (!disabled.has('container')) {
      const sets = this.#labelSets('container', snapshot.containers, containerNames)
      yield* this.#level(CONTAINER_NAMES, snapshot.containers, sets, disabled)
    }
    if (!disabled.has('pod')) {
      const podNames = snapshot.pods.map((s) => metadata.names(s.ref))
      const sets = this.#labelSets('pod', snapshot.pods, podNames)
      yield* this.#level(POD_NAMES, snapshot.pods, sets, disabled)
    }
    if (!disabled.has('kubernetes')) {
      renderKubernetes(w, snapshot, containerNames, metadata)
      yield w.take()
    }
  }

  #labelSets(level: 'container' | 'pod', samples: readonly CgroupSample[], names: readonly KubeNames[]): Buffer[] {
    const cache = this.#labels[level]
    const seen = new Set<string>()
    const out = samples.map((s, i) => {
      const n = names[i] ?? { namespace: '', pod: '', container: '' }
      seen.add(s.ref.id)
      const cached = cache.get(s.ref.id)
      if (cached !== undefined && cached.namespace === n.namespace && cached.pod === n.pod && cached.container === n.container)
        return cached.bytes
      const fresh = { ...n, bytes: Buffer.from(`{${labelText(level, s.ref, n)}} `, 'utf8') }
      cache.set(s.ref.id, fresh)
      return fresh.bytes
    })
    // Cgroups that are gone take their cached labels with them.
    for (const id of cache.keys()) if (!seen.has(id)) cache.delete(id)
    return out
  }

  *#level(
    names: readonly Buffer[],
    samples: readonly CgroupSample[],
    sets: readonly Buffer[],
    disabled: ReadonlySet<MetricGroup>,
  ): Generator<Buffer, void, undefined> {
    for (let f = 0; f < CGROUP_FAMILIES.length; f++) {
      const family = CGROUP_FAMILIES[f]
      const name = names[f]
      if (family === undefined || name === undefined || disabled.has(family.group)) continue
      renderFamily(this.#writer, name, family, samples, sets)
      yield this.#writer.take()
    }
  }
}

function labelText(level: 'container' | 'pod', ref: CgroupRef, n: KubeNames): string {
  const pairs: [string, string][] = [
    ['id', ref.id],
    ['namespace', n.namespace],
    ['pod', n.pod],
  ]
  if (level === 'container') pairs.push(['container', n.container])
  return labels(pairs)
}

function renderFamily(w: ByteWriter, name: Buffer, family: CgroupFamily, samples: readonly CgroupSample[], sets: readonly Buffer[]): void {
  // Families without a single value are left out whole (v1 has no PSI, say).
  let any = false
  for (const s of samples) {
    if (family.value(s) !== undefined) {
      any = true
      break
    }
  }
  if (!any) return
  w.text(`# HELP ${name.toString('latin1')} ${family.help}\n# TYPE ${name.toString('latin1')} ${family.type}\n`)
  for (let i = 0; i < samples.length; i++) {
    const sample = samples[i]
    const set = sets[i]
    if (sample === undefined || set === undefined) continue
    const value = family.value(sample)
    if (value === undefined) continue
    w.bytes(name)
    w.bytes(set)
    w.number(value)
    w.byte(NEWLINE)
  }
}

/** Renders a snapshot to text at once: for tests and one-shot commands. */
export function renderSnapshot(snapshot: Snapshot, opts: RenderOptions): string {
  return new SnapshotRenderer().render(snapshot, opts).toString('utf8')
}

function header(w: ByteWriter, family: { readonly name: string; readonly help: string }): void {
  w.text(`# HELP ${family.name} ${family.help}\n# TYPE ${family.name} gauge\n`)
}

/** Info and request series exist only for what the API server has described. */
function renderKubernetes(w: ByteWriter, snapshot: Snapshot, names: readonly KubeNames[], metadata: MetadataSource): void {
  let pods = ''
  for (const p of metadata.pods()) {
    pods += `${INFO_METRICS.podInfo.name}{${labels([
      ['namespace', p.namespace],
      ['pod', p.name],
      ['pod_uid', p.uid],
      ['node', p.node],
      ['qos', p.qos ?? ''],
    ])}} 1\n`
  }
  let info = ''
  let requests = ''
  snapshot.containers.forEach((s, i) => {
    const n = names[i]
    if (n === undefined || n.pod === '' || s.ref.containerId === undefined) return
    const c = metadata.container(s.ref.containerId)
    info += `${INFO_METRICS.containerInfo.name}{${labels([
      ['namespace', n.namespace],
      ['pod', n.pod],
      ['container', n.container],
      ['container_id', s.ref.containerId],
      ['image', c?.image ?? ''],
      ['id', s.ref.id],
    ])}} 1\n`
    if (c?.requestBytes !== undefined) {
      requests += `${INFO_METRICS.request.name}{${labels([
        ['id', s.ref.id],
        ['namespace', n.namespace],
        ['pod', n.pod],
        ['container', n.container],
      ])}} ${c.requestBytes}\n`
    }
  })
  // Families without series are left out whole: a Kubernetes-less host shows none of them.
  if (pods !== '') {
    header(w, INFO_METRICS.podInfo)
    w.text(pods)
  }
  if (info !== '') {
    header(w, INFO_METRICS.containerInfo)
    w.text(info)
  }
  if (requests !== '') {
    header(w, INFO_METRICS.request)
    w.text(requests)
  }
}
