// The agent's own metrics, on its own prom-client Registry (never the global one).
import { Counter, Gauge, Histogram, Registry } from './prom.js'
import { ERROR_REASONS } from '../kernel/errors.js'
import type { CgroupVersion, CycleStats } from '../model.js'
import { SELF_METRICS } from './metric-names.js'
import { registerRuntimeMetrics } from './runtime.js'

export interface SelfMetrics {
  readonly registry: Registry
  observeCycle(stats: CycleStats, finishedAtMs: number): void
  /** A request refused by --max-requests-in-flight. */
  refused(): void
}

export interface SelfMetricsOptions {
  readonly version: string
  readonly cgroupVersion: CgroupVersion
  /** The process's own process_* and nodejs_* metrics (the `runtime` metric group, runtime.ts). */
  readonly runtimeMetrics: boolean
}

export function createSelfMetrics(opts: SelfMetricsOptions): SelfMetrics {
  const registry = new Registry()
  if (opts.runtimeMetrics) registerRuntimeMetrics(registry)
  const duration = new Histogram({
    name: SELF_METRICS.duration.name,
    help: SELF_METRICS.duration.help,
    // Sized from bench/: 2,500 cgroups take ~0.1-0.3 s on a small node.
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  })
  const errors = new Counter({
    name: SELF_METRICS.errors.name,
    help: SELF_METRICS.errors.help,
    labelNames: ['reason'],
    registers: [registry],
  })
  // Every reason exists from the start, so rate() works before the first error.
  for (const reason of ERROR_REASONS) errors.inc({ reason }, 0)
  const cgroups = new Gauge({
    name: SELF_METRICS.cgroups.name,
    help: SELF_METRICS.cgroups.help,
    labelNames: ['kind'],
    registers: [registry],
  })
  const lastSuccess = new Gauge({
    name: SELF_METRICS.lastSuccess.name,
    help: SELF_METRICS.lastSuccess.help,
    registers: [registry],
  })
  const buildInfo = new Gauge({
    name: SELF_METRICS.buildInfo.name,
    help: SELF_METRICS.buildInfo.help,
    labelNames: ['version', 'nodejs_version', 'cgroup_version'],
    registers: [registry],
  })
  const refused = new Counter({
    name: SELF_METRICS.refused.name,
    help: SELF_METRICS.refused.help,
    registers: [registry],
  })
  buildInfo.set({ version: opts.version, nodejs_version: process.version, cgroup_version: opts.cgroupVersion }, 1)

  return {
    registry,
    observeCycle(stats, finishedAtMs) {
      duration.observe(stats.durationSeconds)
      for (const [kind, n] of Object.entries(stats.discovered)) cgroups.set({ kind }, n)
      for (const [reason, n] of stats.errors) errors.inc({ reason }, n)
      lastSuccess.set(finishedAtMs / 1000)
    },
    refused: () => refused.inc(),
  }
}
