// Hand-built SnapshotJson values for the table and top tests.
import type { ContainerJson, PodJson, SnapshotJson } from '../../agent/expose/snapshot-json.js'
import { MEMORY_FIELDS } from '../../agent/model.js'

type Memory = ContainerJson['memory']
type MemoryValues = Partial<Record<keyof Memory, number>>

const NO_MEMORY = Object.fromEntries(MEMORY_FIELDS.map((f) => [f, null])) as unknown as Memory
const NO_EVENTS: ContainerJson['events'] = { limitHits: null, high: null, oom: null, oomKills: null }
const NO_PRESSURE: ContainerJson['pressure'] = { waitingSeconds: null, stalledSeconds: null }

export function container(
  names: { namespace?: string; pod?: string; container?: string; id?: string; podUid?: string | null; containerId?: string | null },
  memory: MemoryValues,
): ContainerJson {
  return {
    id: names.id ?? `/kubepods/burstable/pod-${names.pod ?? 'x'}/${names.container ?? 'c'}`,
    podUid: names.podUid ?? null,
    containerId: names.containerId ?? null,
    qos: null,
    namespace: names.namespace ?? '',
    pod: names.pod ?? '',
    container: names.container ?? '',
    memory: { ...NO_MEMORY, ...memory },
    events: NO_EVENTS,
    pressure: NO_PRESSURE,
  }
}

export function pod(names: { namespace?: string; pod?: string; id: string; podUid?: string }, memory: MemoryValues): PodJson {
  return {
    id: names.id,
    podUid: names.podUid ?? null,
    qos: null,
    namespace: names.namespace ?? '',
    pod: names.pod ?? '',
    memory: { ...NO_MEMORY, ...memory },
    events: NO_EVENTS,
    pressure: NO_PRESSURE,
  }
}

export function snapshot(
  containers: readonly ContainerJson[],
  extra: { pods?: readonly PodJson[]; scope?: SnapshotJson['scope'] } = {},
): SnapshotJson {
  return {
    cgroupVersion: 'v2',
    scope: extra.scope ?? 'kubernetes',
    collectedAt: '2025-03-04T05:06:07.000Z',
    containers,
    pods: extra.pods ?? [],
  }
}
