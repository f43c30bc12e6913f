// `memlens serve`: the core plus the agent's own metrics, the Kubernetes side, the rendered
// /metrics body and the HTTP server. main/cli adds the process concerns (signals, exit codes).
import { once } from 'node:events'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Logger } from 'pino'
import type { Config } from '../config.js'
import { SnapshotRenderer } from '../expose/exposition.js'
import { metricsText, publish, type PublishedMetrics } from '../expose/publish.js'
import { createSelfMetrics, type SelfMetrics } from '../expose/self.js'
import { createServer } from '../expose/server.js'
import { startKubernetes } from '../kube/start.js'
import type { MetadataService, Snapshot } from '../model.js'
import { createCore, locateHierarchy, type Core, type CoreDeps } from './core.js'
import { VERSION } from './version.js'
import { Counter, Gauge } from 'prom-client'
import { OOM_METRICS } from '../expose/metric-names.js'
import { oomsJson } from '../expose/ooms-json.js'

/** The OOM families live on the agent's own registry: their series outlive the cgroup. */
function countOoms(core: Core, self: SelfMetrics): void {
  const labelNames = OOM_METRICS.killsByCause.labels
  const kills = new Counter({ name: OOM_METRICS.killsByCause.name, help: OOM_METRICS.killsByCause.help, labelNames, registers: [self.registry] })
  const last = new Gauge({ name: OOM_METRICS.lastKill.name, help: OOM_METRICS.lastKill.help, labelNames, registers: [self.registry] })
  const lastLabels = new Map<string, Record<string, string>>()
  core.oom.onOom((r) => {
    // The killed cgroup: what the rules join with memlens_container_memory_oom_kills_total on.
    const id = r.id
    const labels = { namespace: r.namespace, pod: r.pod, container: r.container, id, cause: r.cause, scope: r.scope }
    kills.inc(labels, r.kills)
    const key = `${r.namespace}/${r.pod}/${r.container}/${id}`
    const previous = lastLabels.get(key)
    if (previous !== undefined) last.remove(previous)
    last.set(labels, r.atMs / 1000)
    lastLabels.set(key, labels)
  })
}

export interface ServeApp {
  readonly core: Core
  readonly self: SelfMetrics
  readonly server: Server
  /** The whole /metrics body as served, once the latest cycle is rendered. */
  metrics(): Promise<string>
  listen(host: string, port: number): Promise<AddressInfo>
  stop(): Promise<void>
}

export interface ServeDeps extends Omit<CoreDeps, 'metadata'> {
  /** Instead of starting the Kubernetes side from the config (tests). */
  readonly metadata?: (self: SelfMetrics) => MetadataService
}

export async function createServeApp(config: Config, deps: ServeDeps): Promise<ServeApp> {
  const { logger } = deps
  const hierarchy = locateHierarchy(config)
  const self = createSelfMetrics({
    version: VERSION,
    cgroupVersion: hierarchy.version,
    runtimeMetrics: !config.disabledMetrics.has('runtime'),
  })
  const metadata = deps.metadata?.(self) ?? (await startKubernetes(config, { logger, registry: self.registry }))
  const core = createCore(config, { ...deps, metadata }, hierarchy)
  const published = renderOnCollection(core, self, config, logger)
  if (!config.disabledMetrics.has('oom')) countOoms(core, self)
  const server = createServer({
    metrics: () => published.latest(),
    metricsContentType: self.registry.contentType,
    snapshot: () => core.snapshot(),
    ooms: () => oomsJson(core.oom.records()),
    ready: () => published.latest() !== undefined,
    logger,
  })
  return {
    core,
    self,
    server,
    metrics: async () => {
      await published.settled()
      const latest = published.latest()
      return latest === undefined ? '' : metricsText(latest)
    },
    async listen(host, port) {
      server.listen(port, host)
      await once(server, 'listening')
      return server.address() as AddressInfo
    },
    async stop() {
      await core.stop()
      if (server.listening) {
        server.closeAllConnections()
        await new Promise<void>((resolve) => server.close(() => resolve()))
      }
    },
  }
}

interface Published {
  latest(): PublishedMetrics | undefined
  settled(): Promise<void>
}

/**
 * The whole /metrics body is rendered once per cycle, family by family, into a gzip buffer
 * that every scrape until the next cycle sends as it is (see expose/publish.ts).
 */
function renderOnCollection(core: Core, self: SelfMetrics, config: Config, logger: Logger): Published {
  const renderer = new SnapshotRenderer()
  let published: PublishedMetrics | undefined
  let pending: Snapshot | undefined
  let rendering: Promise<void> | undefined
  const renderPending = async (): Promise<void> => {
    try {
      for (let snap = pending; snap !== undefined; snap = pending) {
        pending = undefined
        const own = await self.registry.metrics()
        published = await publish(
          own.endsWith('\n') ? own : `${own}\n`,
          renderer.steps(snap, { disabled: config.disabledMetrics, metadata: core.metadata }),
        )
      }
    } catch (er) {
      logger.error({ err: er }, 'rendering /metrics failed; serving the previous cycle')
    } finally {
      rendering = undefined
    }
  }
  core.collector.onSnapshot((snap, stats) => {
    self.observeCycle(stats, snap.collectedAtMs)
    pending = snap
    rendering ??= renderPending()
  })
  return { latest: () => published, settled: async () => await rendering }
}
