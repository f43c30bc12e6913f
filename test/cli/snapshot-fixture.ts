// Hand-built SnapshotJson values for the table and top tests.
import type { ContainerJson, PodJson, SnapshotJson } from '../../agent/expose/snapshot-json.js'
import { MEMORY_FIELDS } from '../../agent/model.js'

type Memory = ContainerJson['memory']
type MemoryValues = Partial<Record<keyof Memory, number>>

const NO_MEMORY = Object.fromEntries(MEMORY_FIELDS.map((f) => [f, null])) as unknown as Memory
const NO_EVENTS: ContainerJson['events'] = { limitHits: null, high: null, oom: null, oomKills: null }
const NO_PRESSURE: ContainerJson['pressure'] = { waitingSeconds: null, stalledSeconds: null }

/** What the process view and the OOM explanations add to a row; absent is null. */
export interface RowExtras {
  /** Sum of the processes' VmRSS; the other process figures are derived from it. */
  processesRssBytes?: number
  oom?: { kills: number; lastCause: NonNullable<ContainerJson['oom']>['lastCause'] }
  /** The kernel's oom_kill counter. */
  oomKills?: number
}

function extras(x: RowExtras): Pick<ContainerJson, 'events' | 'processes' | 'oom'> {
  const rss = x.processesRssBytes
  return {
    events: x.oomKills === undefined ? NO_EVENTS : { ...NO_EVENTS, oomKills: x.oomKills },
    processes:
      rss === undefined
        ? null
        : {
            count: 1,
            rssBytes: rss,
            rssAnonBytes: rss,
            rssFileBytes: 0,
            rssShmemBytes: 0,
            largest: [{ pid: 42, comm: 'main', rssBytes: rss }],
          },
    oom: x.oom === undefined ? null : { ...x.oom, lastTime: '2025-03-04T05:00:00.000Z' },
  }
}

export function container(
  names: { namespace?: string; pod?: string; container?: string; id?: string; podUid?: string | null; containerId?: string | null },
  memory: MemoryValues,
  more: RowExtras = {},
): ContainerJson {
  return {
    id: names.id ?? `/kubepods/burstable/pod-${names.pod ?? 'x'}/${names.container ?? 'c'}`,
    podUid: names.podUid ?? null,
    containerId: names.containerId ?? null,
    qos: null,
    namespace: names.namespace ?? null,
    pod: names.pod ?? null,
    container: names.container ?? null,
    memory: { ...NO_MEMORY, ...memory },
    pressure: NO_PRESSURE,
    ...extras(more),
  }
}

export function pod(
  names: { namespace?: string; pod?: string; id: string; podUid?: string },
  memory: MemoryValues,
  more: RowExtras = {},
): PodJson {
  return {
    id: names.id,
    podUid: names.podUid ?? null,
    qos: null,
    namespace: names.namespace ?? null,
    pod: names.pod ?? null,
    memory: { ...NO_MEMORY, ...memory },
    pressure: NO_PRESSURE,
    ...extras(more),
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
