// The core/v1 Event that explains a kill (or a run of kills of one container) on its Pod: what
// `kubectl describe pod` shows as
//   Warning  OOMKillExplained  2m (x4 over 9m)  memlens  OOM-killed at the container memory limit: ...
// Pure: the queue in oom-events.ts decides when to send one.
import type { CoreV1Event } from '@kubernetes/client-node'
// The class alone (a few lines), not the package's index, which loads every generated model.
import { V1MicroTime } from '@kubernetes/client-node/dist/types.js'

export const EVENT_REASON = 'OOMKillExplained'
export const REPORTING_COMPONENT = 'memlens'
/** The API server's limits (pkg/apis/core/validation/events.go). */
const MESSAGE_MAX_BYTES = 1024
const REPORTING_INSTANCE_MAX = 128
const NAME_MAX = 253

/** The pod an Event is about. */
export interface EventTarget {
  readonly namespace: string
  readonly pod: string
  readonly podUid?: string
  /** Empty for a pod-level kill. */
  readonly container: string
}

/** Kills of one series, counted into one Event. */
export interface KillBatch {
  readonly firstMs: number
  readonly lastMs: number
  readonly count: number
  /** The latest kill's explanation. */
  readonly message: string
}

/** kubelet's naming (`<object>.<time in hex>`), with a sequence number against same-millisecond kills. */
export function eventName(pod: string, atMs: number, seq: number): string {
  const suffix = `.${Math.floor(atMs).toString(16)}${seq.toString(16).padStart(4, '0')}`
  // A pod name is a DNS subdomain already; cut to fit, and a label must not end in - or '.'.
  return pod.slice(0, NAME_MAX - suffix.length).replace(/[-.]+$/, '') + suffix
}

/** Cuts to the API's byte limit on whole characters. */
export function truncateBytes(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text) <= maxBytes) return text
  let out = ''
  let bytes = 0
  for (const ch of text) {
    const size = Buffer.byteLength(ch)
    if (bytes + size > maxBytes - 3) break
    out += ch
    bytes += size
  }
  return out + '...'
}

export function oomEventBody(target: EventTarget, batch: KillBatch, nodeName: string, name: string): CoreV1Event {
  const container = target.container === '' || target.container === 'POD' ? undefined : target.container
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name, namespace: target.namespace },
    involvedObject: {
      kind: 'Pod',
      apiVersion: 'v1',
      namespace: target.namespace,
      name: target.pod,
      ...(target.podUid !== undefined ? { uid: target.podUid } : {}),
      ...(container !== undefined ? { fieldPath: `spec.containers{${container}}` } : {}),
    },
    reason: EVENT_REASON,
    type: 'Warning',
    message: truncateBytes(batch.message, MESSAGE_MAX_BYTES),
    source: { component: REPORTING_COMPONENT, host: nodeName },
    reportingComponent: REPORTING_COMPONENT,
    reportingInstance: nodeName.slice(0, REPORTING_INSTANCE_MAX),
    // Required once eventTime is set; what the kernel did, which memlens explains.
    action: 'OOMKill',
    firstTimestamp: new Date(batch.firstMs),
    lastTimestamp: new Date(batch.lastMs),
    // MicroTime: the server wants six fractional digits, which only V1MicroTime writes.
    eventTime: new V1MicroTime(batch.firstMs),
    count: batch.count,
  }
}
