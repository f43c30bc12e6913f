// Wiring of one agent: hierarchy → collector → rendered metrics → HTTP server, plus the
// optional Kubernetes metadata. main.ts adds the process concerns (signals, exit codes).
import { once } from 'node:events'
import type { AddressInfo } from 'node:net'
import type { Server } from 'node:http'
import type { Logger } from 'pino'
import { snapshotJson, type SnapshotJson } from '../expose/snapshot-json.js'
import { findHierarchy, resolveScope, type Hierarchy } from '../cgroup/hierarchy.js'
import { Collector } from '../collect/collector.js'
import { DEFAULTS, type Config } from '../config.js'
import { noMetadata, type MetadataSource } from '../model.js'
import { SnapshotRenderer } from '../expose/exposition.js'
import { metricsText, publish, type PublishedMetrics } from '../expose/publish.js'
import { createSelfMetrics, type SelfMetrics } from '../expose/self.js'
import type { Scope, Snapshot } from '../model.js'
import { createServer } from '../expose/server.js'
import { VERSION } from './version.js'

/** Metadata that may hold resources (a watch) to release on stop. */
export type AgentMetadata = MetadataSource & { stop?: () => Promise<void> }

export interface Agent {
  readonly hierarchy: Hierarchy
  readonly scope: Scope
  readonly collector: Collector
  readonly self: SelfMetrics
  readonly server: Server
  readonly metadata: AgentMetadata
  /** The whole /metrics body as served, once the latest cycle is rendered. */
  metrics(): Promise<string>
  snapshot(): SnapshotJson | undefined
  /** Starts polling every config.intervalMs. */
  startPolling(): void
  listen(host: string, port: number): Promise<AddressInfo>
  stop(): Promise<void>
}

export interface AgentDeps {
  readonly logger: Logger
  /** Built from the self-metrics registry when Kubernetes is on; noMetadata otherwise. */
  readonly metadata?: (self: SelfMetrics) => AgentMetadata
}

export function createAgent(config: Config, deps: AgentDeps): Agent {
  const { logger } = deps
  const hierarchy = findHierarchy({
    cgroupRoot: config.cgroupRoot,
    // Only the default mount point is worth confirming; an explicit root may be a fixture.
    mountinfoPath: config.cgroupRoot === DEFAULTS.cgroupRoot ? `${config.procRoot}/self/mountinfo` : undefined,
  })
  const scope = resolveScope(hierarchy, config.scope)
  const self = createSelfMetrics({
    version: VERSION,
    cgroupVersion: hierarchy.version,
    runtimeMetrics: !config.disabledMetrics.has('runtime'),
  })
  const metadata: AgentMetadata = deps.metadata?.(self) ?? noMetadata
  const collector = new Collector({ hierarchy, scope, parent: config.cgroupParent, logger })
  // The whole /metrics body is rendered once per cycle, family by family, into a gzip
  // buffer that every scrape until the next cycle sends as it is (see metrics/publish.ts).
  const renderer = new SnapshotRenderer()
  let published: PublishedMetrics | undefined
  let pending: Snapshot | undefined
  let rendering: Promise<void> | undefined
  const renderPending = async (): Promise<void> => {
    try {
      for (let snap = pending; snap !== undefined; snap = pending) {
        pending = undefined
        const own = await self.registry.metrics()
        published = await publish(own.endsWith('\n') ? own : `${own}\n`, renderer.steps(snap, { disabled: config.disabledMetrics, metadata }))
      }
    } catch (er) {
      logger.error({ err: er }, 'rendering /metrics failed; serving the previous cycle')
    } finally {
      rendering = undefined
    }
  }
  collector.onSnapshot((snap, stats) => {
    self.observeCycle(stats, snap.collectedAtMs)
    pending = snap
    rendering ??= renderPending()
  })

  const metrics = async (): Promise<string> => {
    await rendering
    return published === undefined ? '' : metricsText(published)
  }
  const snapshot = (): SnapshotJson | undefined => {
    const latest = collector.latest
    return latest === undefined ? undefined : snapshotJson(latest, metadata)
  }
  const server = createServer({
    metrics: () => published,
    metricsContentType: self.registry.contentType,
    snapshot,
    ready: () => published !== undefined,
    logger,
  })

  return {
    hierarchy,
    scope,
    collector,
    self,
    server,
    metadata,
    metrics,
    snapshot,
    startPolling: () => collector.start(config.intervalMs),
    async listen(host, port) {
      server.listen(port, host)
      await once(server, 'listening')
      return server.address() as AddressInfo
    },
    async stop() {
      await collector.stop()
      await metadata.stop?.()
      if (server.listening) {
        server.closeAllConnections()
        await new Promise<void>((resolve) => server.close(() => resolve()))
      }
    },
  }
}
