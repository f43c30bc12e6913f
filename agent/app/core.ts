// What every command needs: the memory hierarchy, the collector polling it, and the names
// the Kubernetes side gives its cgroups. snapshot and top use this alone; serve adds the
// rendering and the HTTP server (serve.ts). Nothing here renders /metrics.
import { statSync } from 'node:fs'
import type { Logger } from 'pino'
import { findHierarchy, resolveScope, type Hierarchy } from '../cgroup/hierarchy.js'
import { Collector } from '../collect/collector.js'
import type { Timers } from '../collect/timers.js'
import { ConfigError, DEFAULTS, type Config } from '../config.js'
import { snapshotJson, type SnapshotJson } from '../expose/snapshot-json.js'
import { errorCode } from '../kernel/errors.js'
import { noMetadata, type MetadataService, type Scope } from '../model.js'
import { KmsgReader } from '../oom/kmsg-reader.js'
import { OomTracker } from '../oom/tracker.js'

export interface Core {
  readonly hierarchy: Hierarchy
  readonly oom: OomTracker
  readonly scope: Scope
  readonly collector: Collector
  readonly metadata: MetadataService
  /** The latest collection as the JSON of /api/v1/snapshot; undefined before the first. */
  snapshot(): SnapshotJson | undefined
  /** Collects now and then every config.intervalMs. */
  startPolling(): void
  stop(): Promise<void>
}

export interface CoreDeps {
  readonly logger: Logger
  readonly metadata?: MetadataService | undefined
  readonly timers?: Timers
  /** Wall clock of the samples (default Date.now); tests step it. */
  readonly now?: () => number
}

/**
 * The memory hierarchy the config points at; a HierarchyError says what is missing, a
 * ConfigError that --cgroup-parent names no cgroup (a typo would otherwise watch nothing, quietly).
 */
export function locateHierarchy(config: Config): Hierarchy {
  const hierarchy = findHierarchy({
    cgroupRoot: config.cgroupRoot,
    // Only the default mount point is worth confirming; an explicit root may be a fixture.
    mountinfoPath: config.cgroupRoot === DEFAULTS.cgroupRoot ? `${config.procRoot}/self/mountinfo` : undefined,
  })
  if (config.cgroupParent !== '/' && !isDirectory(hierarchy.root + config.cgroupParent)) {
    throw new ConfigError(`--cgroup-parent: ${JSON.stringify(config.cgroupParent)} is not a cgroup under ${hierarchy.root}`)
  }
  return hierarchy
}

/** False only when the path is surely not a directory; one we may not stat is left to discovery. */
function isDirectory(path: string): boolean {
  try {
    return statSync(path, { throwIfNoEntry: false })?.isDirectory() ?? false
  } catch (er) {
    return errorCode(er) !== 'ENOTDIR'
  }
}

export function createCore(config: Config, deps: CoreDeps, hierarchy: Hierarchy = locateHierarchy(config)): Core {
  const scope = resolveScope(hierarchy, config.scope)
  const metadata = deps.metadata ?? noMetadata
  const kmsg = config.kmsg === undefined ? undefined : new KmsgReader(config.kmsg, deps.logger)
  const oom = new OomTracker({
    version: hierarchy.version,
    metadata,
    peakWindowMs: config.peakWindowMs,
    ...(kmsg === undefined ? {} : { kmsg }),
  })
  oom.onOom((record) => {
    deps.logger.warn(
      {
        namespace: record.namespace,
        pod: record.pod,
        container: record.container,
        cgroup: record.id,
        cause: record.cause,
        scope: record.scope,
        kills: record.kills,
      },
      `OOM kill explained: ${record.message}`,
    )
    metadata.reportOom?.(record)
  })
  const collector = new Collector({
    tracker: oom,
    ...(config.disabledMetrics.has('processes') ? {} : { procRoot: config.procRoot }),
    hierarchy,
    scope,
    parent: config.cgroupParent,
    logger: deps.logger,
    nativeReader: config.nativeReader,
    ...(deps.timers === undefined ? {} : { timers: deps.timers }),
    ...(deps.now === undefined ? {} : { now: deps.now }),
  })
  return {
    hierarchy,
    oom,
    scope,
    collector,
    metadata,
    snapshot() {
      const latest = collector.latest
      return latest === undefined ? undefined : snapshotJson(latest, metadata)
    },
    startPolling: () => collector.start(config.intervalMs),
    async stop() {
      await collector.stop()
      kmsg?.close()
      await metadata.stop?.()
    },
  }
}
