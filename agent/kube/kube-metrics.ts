// The agent's own metrics about its link to the Kubernetes API (names in expose/metric-names.ts).
import { Counter, Gauge, type Registry } from '../expose/prom.js'
import { KUBE_METRICS } from '../expose/metric-names.js'
import { KUBE_ERROR_REASONS, type KubeErrorReason } from './kube-errors.js'

/** The `result` label of memlens_kubernetes_events_total. */
export const EVENT_RESULTS = ['sent', 'failed', 'dropped'] as const
export type EventResult = (typeof EVENT_RESULTS)[number]

export interface KubeMetrics {
  setWatchUp(up: boolean): void
  countError(reason: KubeErrorReason): void
  countEvent(result: EventResult): void
}

export function createKubeMetrics(registry: Registry): KubeMetrics {
  const watchUp = new Gauge({ name: KUBE_METRICS.watchUp.name, help: KUBE_METRICS.watchUp.help, registers: [registry] })
  const errors = new Counter({
    name: KUBE_METRICS.errors.name,
    help: KUBE_METRICS.errors.help,
    labelNames: ['reason'] as const,
    registers: [registry],
  })
  const events = new Counter({
    name: KUBE_METRICS.events.name,
    help: KUBE_METRICS.events.help,
    labelNames: ['result'] as const,
    registers: [registry],
  })
  watchUp.set(0)
  // Every label value exists from the start, so rate() and alerts see the first one.
  for (const reason of KUBE_ERROR_REASONS) errors.inc({ reason }, 0)
  for (const result of EVENT_RESULTS) events.inc({ result }, 0)
  return {
    setWatchUp: (up) => watchUp.set(up ? 1 : 0),
    countError: (reason) => errors.inc({ reason }),
    countEvent: (result) => events.inc({ result }),
  }
}
