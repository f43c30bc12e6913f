// `memlens serve`: the core plus the agent's own metrics, the Kubernetes side, the bodies
// the server sends (rendered when first asked for after a collection) and the HTTP server.
// main/cli adds the process concerns (signals, exit codes).
import { once } from 'node:events'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Logger } from 'pino'
import type { Config } from '../config.js'
import { SnapshotRenderer } from '../expose/exposition.js'
import { PerCollection } from '../expose/per-collection.js'
import { publish, PublishedMetrics } from '../expose/publish.js'
import { createSelfMetrics, type SelfMetrics } from '../expose/self.js'
import { createServer, HTTP_LIMITS } from '../expose/server.js'
import { snapshotJson } from '../expose/snapshot-json.js'
import { startKubernetes } from '../kube/start.js'
import type { MetadataService, Snapshot } from '../model.js'
import { createCore, locateHierarchy, type Core, type CoreDeps } from './core.js'
import { VERSION } from './version.js'
import { Counter, Gauge } from '../expose/prom.js'
import { OOM_METRICS } from '../expose/metric-names.js'
import { oomsJson } from '../expose/ooms-json.js'

/** The OOM families live on the agent's own registry: their series outlive the cgroup. */
function countOoms(core: Core, self: SelfMetrics): void {
  const labelNames = OOM_METRICS.killsByCause.labels
  const kills = new Counter({
    name: OOM_METRICS.killsByCause.name,
    help: OOM_METRICS.killsByCause.help,
    labelNames,
    registers: [self.registry],
  })
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
  /** The whole /metrics body as served for the latest collection ('' before the first). */
  metrics(): Promise<string>
  /** How often each body was derived: at most once per collection, and only when asked for. */
  derived(): { readonly metrics: number; readonly snapshot: number; readonly ooms: number }
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
  const metrics = metricsBody(core, self, config, logger)
  const json = (value: unknown): Buffer => Buffer.from(`${JSON.stringify(value)}\n`)
  const snapshot = new PerCollection((snap: Snapshot) => json(snapshotJson(snap, core.metadata)))
  const ooms = new PerCollection(() => json(oomsJson(core.oom.records())))
  ooms.set(0)
  let oomCount = 0
  core.oom.onOom(() => ooms.set(++oomCount))
  core.collector.onSnapshot((snap, stats) => {
    self.observeCycle(stats, snap.collectedAtMs)
    metrics.set(snap)
    snapshot.set(snap)
  })
  if (!config.disabledMetrics.has('oom')) countOoms(core, self)
  const server = createServer({
    metrics: () => metrics.get(),
    metricsContentType: self.registry.contentType,
    snapshot: () => snapshot.get(),
    ooms: async () => await (ooms.get() ?? Promise.resolve(json({ ooms: [] }))),
    ready: () => metrics.ready,
    limits: { ...HTTP_LIMITS, maxInFlight: config.maxRequestsInFlight, writeTimeoutMs: config.writeTimeoutMs },
    onRefused: () => self.refused(),
    logger,
  })
  return {
    core,
    self,
    server,
    metrics: async () => {
      const latest = await metrics.get()
      return latest === undefined ? '' : (await latest.text()).toString('utf8')
    },
    derived: () => ({ metrics: metrics.derived, snapshot: snapshot.derived, ooms: ooms.derived }),
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

/**
 * The whole /metrics body, rendered family by family into a gzip buffer on the first scrape
 * after a collection and sent as it is to every scrape until the next (see expose/publish.ts).
 * Nobody scraping costs no rendering at all.
 */
function metricsBody(core: Core, self: SelfMetrics, config: Config, logger: Logger): PerCollection<Snapshot, PublishedMetrics> {
  const renderer = new SnapshotRenderer()
  let previous: { readonly gzipped: Buffer; readonly textBytes: number } | undefined
  return new PerCollection(async (snap: Snapshot) => {
    try {
      const own = await self.registry.metrics()
      const body = await publish(
        own.endsWith('\n') ? own : `${own}\n`,
        renderer.steps(snap, { disabled: config.disabledMetrics, metadata: core.metadata }),
      )
      previous = { gzipped: body.gzipped, textBytes: body.textBytes }
      return body
    } catch (er) {
      if (previous === undefined) throw er
      logger.error({ err: er }, 'rendering /metrics failed; serving the previous body')
      return new PublishedMetrics(previous.gzipped, previous.textBytes)
    }
  })
}
