// The JSON shape of `memlens snapshot --json` and GET /api/v1/snapshot.
// Absent values are null, names too (the model's '' for "not named yet"); podUid keeps its dashes.
import type { MetadataSource, OomRecord, ProcessSummary } from '../model.js'
import {
  EVENT_FIELDS,
  MEMORY_FIELDS,
  PRESSURE_FIELDS,
  type CgroupSample,
  type CgroupVersion,
  type KubeNames,
  type MemoryBytes,
  type MemoryEvents,
  type MemoryPressure,
  type Scope,
  type Snapshot,
} from '../model.js'

type Nullable<T> = { readonly [K in keyof Required<T>]: Exclude<T[K], undefined> | null }

export interface PodJson {
  readonly id: string
  readonly podUid: string | null
  readonly qos: string | null
  /** null until the Kubernetes API names the cgroup, and always without Kubernetes. */
  readonly namespace: string | null
  readonly pod: string | null
  readonly memory: Nullable<MemoryBytes>
  readonly events: Nullable<MemoryEvents>
  readonly pressure: Nullable<MemoryPressure>
  /** What `ps` in the cgroup adds up to; null where the process view did not read it. */
  readonly processes: ProcessSummary | null
  /** Kills memlens explained (GET /api/v1/ooms has the explanations); null when none. */
  readonly oom: OomSummaryJson | null
}

export interface OomSummaryJson {
  readonly kills: number
  readonly lastCause: OomRecord['cause']
  /** ISO 8601, like collectedAt. */
  readonly lastTime: string
}

export interface ContainerJson extends PodJson {
  readonly containerId: string | null
  /** null until the API names the container (a pod may be named before its containers are). */
  readonly container: string | null
}

export interface SnapshotJson {
  readonly cgroupVersion: CgroupVersion
  readonly scope: Scope
  readonly collectedAt: string
  readonly containers: readonly ContainerJson[]
  readonly pods: readonly PodJson[]
}

function pick<T extends object, K extends keyof T>(obj: T, keys: readonly K[]): Nullable<Pick<T, K>> {
  const out: Record<string, unknown> = {}
  for (const k of keys) out[k as string] = obj[k] ?? null
  return out as Nullable<Pick<T, K>>
}

function nameOrNull(name: string): string | null {
  return name === '' ? null : name
}

function podJson(sample: CgroupSample, metadata: MetadataSource, names: KubeNames = metadata.names(sample.ref)): PodJson {
  const { ref, reading } = sample
  const qos = ref.podUid === undefined ? undefined : (metadata.pod(ref.podUid)?.qos ?? ref.qos)
  return {
    id: ref.id,
    podUid: ref.podUid ?? null,
    qos: qos ?? null,
    namespace: nameOrNull(names.namespace),
    pod: nameOrNull(names.pod),
    memory: pick(reading.memory, MEMORY_FIELDS),
    events: pick(reading.events, EVENT_FIELDS),
    pressure: pick(reading.pressure, PRESSURE_FIELDS),
    processes: sample.processes ?? null,
    oom:
      sample.oom === undefined
        ? null
        : { kills: sample.oom.kills, lastCause: sample.oom.lastCause, lastTime: new Date(sample.oom.lastAtMs).toISOString() },
  }
}

function containerJson(sample: CgroupSample, metadata: MetadataSource): ContainerJson {
  const names = metadata.names(sample.ref)
  const { id, podUid, qos, namespace, pod, ...rest } = podJson(sample, metadata, names)
  return { id, podUid, containerId: sample.ref.containerId ?? null, qos, namespace, pod, container: nameOrNull(names.container), ...rest }
}

export function snapshotJson(snapshot: Snapshot, metadata: MetadataSource): SnapshotJson {
  return {
    cgroupVersion: snapshot.cgroupVersion,
    scope: snapshot.scope,
    collectedAt: new Date(snapshot.collectedAtMs).toISOString(),
    containers: snapshot.containers.map((s) => containerJson(s, metadata)),
    pods: snapshot.pods.map((s) => podJson(s, metadata)),
  }
}
