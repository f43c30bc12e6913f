// Command dispatch for serve, snapshot, top and explain. Streams and environment are injected so
// tests run the real commands in-process. Each command loads its own modules when it runs: the
// agent that serves on every node never compiles or holds the terminal UI, and `top` never
// loads the HTTP server.
import type { Logger } from 'pino'
import { createCore, locateHierarchy, type Core } from '../app/core.js'
import { createLogger } from '../app/logger.js'
import type { ServeApp } from '../app/serve.js'
import { VERSION } from '../app/version.js'
import { formatDuration, helpText, parseConfig, type Config } from '../config.js'
import { startKubernetes } from '../kube/start.js'

export interface CliIo {
  readonly env: NodeJS.ProcessEnv
  readonly stdout: NodeJS.WritableStream & { columns?: number; rows?: number; isTTY?: boolean }
  readonly stderr: NodeJS.WritableStream
  readonly stdin: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown }
  /** Stops `serve` (tests); by default SIGINT and SIGTERM do. */
  readonly signal?: AbortSignal
  readonly logger?: Logger
}

export async function runCli(argv: readonly string[], io: CliIo): Promise<number | undefined> {
  const parsed = parseConfig(argv, io.env)
  if (parsed.version) {
    io.stdout.write(`memlens ${VERSION}\n`)
    return 0
  }
  if (parsed.help || parsed.config === undefined) {
    io.stdout.write(helpText())
    return 0
  }
  const config = parsed.config
  // explain asks a running agent: it reads no cgroups and logs nothing.
  if (config.command === 'explain') return (await import('./explain.js')).runExplain(config, io)
  // snapshot and top own the terminal: only warnings and errors go to the log there.
  const level = config.command === 'serve' || config.logLevel !== 'info' ? config.logLevel : 'warn'
  const logger = io.logger ?? createLogger(level)
  if (config.command === 'serve') {
    const { createServeApp } = await import('../app/serve.js')
    return serve(await createServeApp(config, { logger }), config, io, logger)
  }
  const core = await commandCore(config, logger)
  const kind = config.pods ? 'pods' : 'containers'
  switch (config.command) {
    case 'snapshot':
      try {
        const { renderTable, sortSnapshot, UNLIMITED_WIDTH } = await import('./table.js')
        await core.collector.collect()
        const snap = core.snapshot()
        if (snap === undefined) return 1
        // Into a pipe names stay whole: they are for grep and scripts, not for a screen.
        const width = io.stdout.isTTY === true ? (io.stdout.columns ?? 120) : UNLIMITED_WIDTH
        io.stdout.write(
          config.json
            ? JSON.stringify(sortSnapshot(snap, config.sort), null, 2) + '\n'
            : renderTable(snap, { width, sort: config.sort, kind }),
        )
        return 0
      } finally {
        await core.stop()
      }
    case 'top':
      try {
        const { runTop } = await import('./top/loop.js')
        await runTop({
          fetch: async () => {
            await core.collector.collect()
            const snap = core.snapshot()
            if (snap === undefined) throw new Error('no collection yet')
            return snap
          },
          intervalMs: config.intervalMs,
          input: io.stdin,
          output: io.stdout,
          sort: config.sort,
          kind,
          signal: io.signal,
        })
        return 0
      } finally {
        await core.stop()
      }
  }
}

/** snapshot and top: the core alone, with pod names when a node name asks for them. */
async function commandCore(config: Config, logger: Logger): Promise<Core> {
  // The hierarchy first: a wrong --cgroup-root or --cgroup-parent needs no API server to say so.
  const hierarchy = locateHierarchy(config)
  const metadata = await startKubernetes(config, { logger })
  try {
    return createCore(config, { logger, metadata }, hierarchy)
  } catch (er) {
    await metadata?.stop?.()
    throw er
  }
}

async function serve(app: ServeApp, config: Config, io: CliIo, logger: Logger): Promise<number> {
  const { core } = app
  const address = await app.listen(config.listen.host, config.listen.port)
  core.startPolling()
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address
  const url = `http://${host}:${address.port}`
  logger.info({ url, cgroupVersion: core.hierarchy.version, root: core.hierarchy.root, scope: core.scope }, 'serving')
  io.stdout.write(
    `memlens watching ${watched(core.scope, config.cgroupParent)} ` +
      `(cgroup ${core.hierarchy.version} at ${core.hierarchy.root}, every ${formatDuration(config.intervalMs)})\n` +
      `  metrics:  ${url}/metrics\n  snapshot: ${url}/api/v1/snapshot\n  ooms:     ${url}/api/v1/ooms (memlens explain)\n  health:   ${url}/healthz  ready: ${url}/readyz\n`,
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
  await app.stop()
  return 0
}

/** What serve watches, in the banner's words. */
function watched(scope: Core['scope'], parent: string): string {
  const under = parent === '/' ? '' : ` under ${parent}`
  if (scope === 'kubernetes') return `pods and containers${under}`
  return parent === '/' ? 'every cgroup' : `the cgroups${under}`
}
