// The agent's own metrics about its link to the Kubernetes API (names in expose/metric-names.ts).
import { Counter, Gauge, type Registry } from 'prom-client'
import { KUBE_METRICS } from '../expose/metric-names.js'
import { KUBE_ERROR_REASONS, type KubeErrorReason } from './kube-errors.js'

export interface KubeMetrics {
  setWatchUp(up: boolean): void
  countError(reason: KubeErrorReason): void
}

export function createKubeMetrics(registry: Registry): KubeMetrics {
  const watchUp = new Gauge({ name: KUBE_METRICS.watchUp.name, help: KUBE_METRICS.watchUp.help, registers: [registry] })
  const errors = new Counter({ name: KUBE_METRICS.errors.name, help: KUBE_METRICS.errors.help, labelNames: ['reason'] as const, registers: [registry] })
  watchUp.set(0)
  // Every reason exists from the start, so rate() and alerts see the first error.
  for (const reason of KUBE_ERROR_REASONS) errors.inc({ reason }, 0)
  return {
    setWatchUp: (up) => watchUp.set(up ? 1 : 0),
    countError: (reason) => errors.inc({ reason }),
  }
}
