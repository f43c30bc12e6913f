// The agent's own metrics about its link to the Kubernetes API. Names and help in one place so
// docs/metrics.md can be checked against them.
import { Counter, Gauge, type Registry } from 'prom-client'
import { KUBE_ERROR_REASONS, type KubeErrorReason } from './kube-errors.js'

export const KUBE_METRICS = {
  watchUp: {
    name: 'memlens_kubernetes_watch_up',
    help: '1 while the watch on this node\'s pods is established, 0 while the list or watch is failing and being retried.',
  },
  errors: {
    name: 'memlens_kubernetes_errors_total',
    help:
      'Failed Kubernetes API calls, by reason: list, watch (request failed or connection lost), ' +
      'gone (410, history expired: relisted), unauthorized (401), forbidden (403), decode (object not understood).',
  },
} as const

export interface KubeMetrics {
  setWatchUp(up: boolean): void
  countError(reason: KubeErrorReason): void
}

export function createKubeMetrics(registry: Registry): KubeMetrics {
  const watchUp = new Gauge({ ...KUBE_METRICS.watchUp, registers: [registry] })
  const errors = new Counter({ ...KUBE_METRICS.errors, labelNames: ['reason'] as const, registers: [registry] })
  watchUp.set(0)
  // Every reason exists from the start, so rate() and alerts see the first error.
  for (const reason of KUBE_ERROR_REASONS) errors.inc({ reason }, 0)
  return {
    setWatchUp: (up) => watchUp.set(up ? 1 : 0),
    countError: (reason) => errors.inc({ reason }),
  }
}
