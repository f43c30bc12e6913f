// Renders a snapshot as Prometheus text exposition, once per collection cycle. A scrape
// then costs a string concatenation, however many cgroups the node has: prom-client's
// Gauge.set + registry.metrics() for 50k labelled series costs ~100 ms and ~150 MB here.
// prom-client still owns the agent's own metrics (see self.ts); this writer owns the
// per-cgroup table.
import type { MetadataSource } from '../kube/types.js'
import type { CgroupSample, Snapshot } from '../model.js'
import { CGROUP_FAMILIES, CONTAINER_PREFIX, INFO_FAMILIES, POD_PREFIX, type MetricGroup } from './families.js'

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

function formatValue(value: number): string {
  if (Number.isFinite(value)) return String(value)
  return Number.isNaN(value) ? 'NaN' : value > 0 ? '+Inf' : '-Inf'
}

export interface RenderOptions {
  readonly disabled: ReadonlySet<MetricGroup>
  readonly metadata: MetadataSource
}

function renderLevel(
  out: string[],
  prefix: string,
  samples: readonly CgroupSample[],
  labelSets: readonly string[],
  disabled: ReadonlySet<MetricGroup>,
): void {
  for (const family of CGROUP_FAMILIES) {
    if (disabled.has(family.group)) continue
    const name = prefix + family.suffix
    let body = ''
    for (let i = 0; i < samples.length; i++) {
      const sample = samples[i]
      if (sample === undefined) continue
      const value = family.value(sample.reading)
      if (value !== undefined) body += `${name}{${labelSets[i] ?? ''}} ${formatValue(value)}\n`
    }
    if (body !== '') out.push(`# HELP ${name} ${family.help}\n# TYPE ${name} ${family.type}\n${body}`)
  }
}

export function renderSnapshot(snapshot: Snapshot, opts: RenderOptions): string {
  const { disabled, metadata } = opts
  const out: string[] = []
  const containerLabels: string[] = []
  const podLabels: string[] = []
  const names = snapshot.containers.map((s) => metadata.names(s.ref))
  if (!disabled.has('container')) {
    snapshot.containers.forEach((s, i) => {
      const n = names[i]
      containerLabels.push(
        labels([
          ['id', s.ref.id],
          ['namespace', n?.namespace ?? ''],
          ['pod', n?.pod ?? ''],
          ['container', n?.container ?? ''],
        ]),
      )
    })
    renderLevel(out, CONTAINER_PREFIX, snapshot.containers, containerLabels, disabled)
  }
  if (!disabled.has('pod')) {
    for (const s of snapshot.pods) {
      const n = metadata.names(s.ref)
      podLabels.push(
        labels([
          ['id', s.ref.id],
          ['namespace', n.namespace],
          ['pod', n.pod],
        ]),
      )
    }
    renderLevel(out, POD_PREFIX, snapshot.pods, podLabels, disabled)
  }
  if (!disabled.has('kubernetes')) renderKubernetes(out, snapshot, names, metadata)
  return out.join('')
}

function header(family: { readonly name: string; readonly help: string }, type: string): string {
  return `# HELP ${family.name} ${family.help}\n# TYPE ${family.name} ${type}\n`
}

/** Info and request series exist only for what the API server has described. */
function renderKubernetes(
  out: string[],
  snapshot: Snapshot,
  names: readonly { readonly namespace: string; readonly pod: string; readonly container: string }[],
  metadata: MetadataSource,
): void {
  let pods = ''
  for (const p of metadata.pods()) {
    pods += `${INFO_FAMILIES.podInfo.name}{${labels([
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
    info += `${INFO_FAMILIES.containerInfo.name}{${labels([
      ['namespace', n.namespace],
      ['pod', n.pod],
      ['container', n.container],
      ['container_id', s.ref.containerId],
      ['image', c?.image ?? ''],
      ['id', s.ref.id],
    ])}} 1\n`
    if (c?.requestBytes !== undefined) {
      requests += `${INFO_FAMILIES.request.name}{${labels([
        ['id', s.ref.id],
        ['namespace', n.namespace],
        ['pod', n.pod],
        ['container', n.container],
      ])}} ${formatValue(c.requestBytes)}\n`
    }
  })
  // Families without series are left out whole: a Kubernetes-less host shows none of them.
  if (pods !== '') out.push(header(INFO_FAMILIES.podInfo, 'gauge') + pods)
  if (info !== '') out.push(header(INFO_FAMILIES.containerInfo, 'gauge') + info)
  if (requests !== '') out.push(header(INFO_FAMILIES.request, 'gauge') + requests)
}
