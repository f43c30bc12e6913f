// Command dispatch for serve, snapshot and top. Streams and environment are injected so
// tests run the real commands in-process.
import type { Logger } from 'pino'
import { createAgent, type AgentDeps, type AgentMetadata } from '../app/core.js'
import { ConfigError, helpText, parseConfig, type Config } from '../config.js'
import { errorMessage } from '../kernel/errors.js'
import { createLogger } from '../app/logger.js'
import type { SelfMetrics } from '../expose/self.js'
import { renderTable } from './table.js'
import { runTop } from './top/loop.js'

export interface CliIo {
  readonly env: NodeJS.ProcessEnv
  readonly stdout: NodeJS.WritableStream & { columns?: number; rows?: number; isTTY?: boolean }
  readonly stderr: NodeJS.WritableStream
  readonly stdin: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown }
  /** Stops `serve` (tests); by default SIGINT and SIGTERM do. */
  readonly signal?: AbortSignal
  readonly logger?: Logger
}

/**
 * The Kubernetes client is loaded only when a node name asks for it: importing it costs
 * ~75 MB of resident memory (its generated API models), which a host without Kubernetes
 * should not pay.
 */
async function metadataFactory(config: Config, logger: Logger): Promise<AgentDeps['metadata']> {
  const nodeName = config.nodeName
  if (nodeName === undefined) return undefined
  const { startPodMetadata, loadKubeConfig } = await import('../kube/metadata.js')
  let kubeConfig: ReturnType<typeof loadKubeConfig>
  try {
    kubeConfig = loadKubeConfig({ kubeconfigPath: config.kubeconfig })
  } catch (er) {
    // Asked for pod names with no way to reach the API server: a setup error, like a bad flag.
    throw new ConfigError(`--node-name ${nodeName}: no Kubernetes credentials: ${errorMessage(er)} (give --kubeconfig, or drop --node-name)`)
  }
  return (self: SelfMetrics): AgentMetadata => startPodMetadata({ kubeConfig, nodeName, registry: self.registry, logger })
}

export async function runCli(argv: readonly string[], io: CliIo): Promise<number | undefined> {
  const parsed = parseConfig(argv, io.env)
  if (parsed.help || parsed.config === undefined) {
    io.stdout.write(helpText())
    return 0
  }
  const config = parsed.config
  // snapshot and top own the terminal: only warnings and errors go to the log there.
  const level = config.command === 'serve' || config.logLevel !== 'info' ? config.logLevel : 'warn'
  const logger = io.logger ?? createLogger(level)
  const agent = createAgent(config, { logger, metadata: await metadataFactory(config, logger) })
  switch (config.command) {
    case 'serve':
      return serve(agent, config, io, logger)
    case 'snapshot':
      try {
        await agent.collector.collect()
        const snap = agent.snapshot()
        if (snap === undefined) return 1
        const width = io.stdout.columns ?? 120
        io.stdout.write(config.json ? JSON.stringify(snap, null, 2) + '\n' : renderTable(snap, { width, sort: config.sort, kind: config.pods ? 'pods' : 'containers' }))
        return 0
      } finally {
        await agent.stop()
      }
    case 'top':
      try {
        await runTop({
          fetch: async () => {
            await agent.collector.collect()
            const snap = agent.snapshot()
            if (snap === undefined) throw new Error('no collection yet')
            return snap
          },
          intervalMs: config.intervalMs,
          input: io.stdin,
          output: io.stdout,
          sort: config.sort,
          signal: io.signal,
        })
        return 0
      } finally {
        await agent.stop()
      }
  }
}

async function serve(agent: ReturnType<typeof createAgent>, config: Config, io: CliIo, logger: Logger): Promise<number> {
  const address = await agent.listen(config.listen.host, config.listen.port)
  agent.startPolling()
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address
  const url = `http://${host}:${address.port}`
  logger.info({ url, cgroupVersion: agent.hierarchy.version, root: agent.hierarchy.root, scope: agent.scope }, 'serving')
  io.stdout.write(
    `memlens ${agent.scope === 'kubernetes' ? 'watching pods and containers' : 'watching every cgroup'} ` +
      `(cgroup ${agent.hierarchy.version} at ${agent.hierarchy.root}, every ${config.intervalMs / 1000}s)\n` +
      `  metrics:  ${url}/metrics\n  snapshot: ${url}/api/v1/snapshot\n  health:   ${url}/healthz  ready: ${url}/readyz\n`,
  )
  await new Promise<void>((resolve) => {
    const stop = (): void => resolve()
    if (io.signal !== undefined) {
      if (io.signal.aborted) resolve()
      io.signal.addEventListener('abort', stop, { once: true })
    } else {
      process.once('SIGINT', stop)
      process.once('SIGTERM', stop)
    }
  })
  logger.info('stopping')
  await agent.stop()
  return 0
}
