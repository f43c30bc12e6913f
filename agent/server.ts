// HTTP surface. createServer() builds the handler and never listens, so tests call it
// without a port. Nothing here reads cgroup files: it serves what the collector left.
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { Logger } from 'pino'
import type { SnapshotJson } from './api.js'

export interface ServerDeps {
  /** The /metrics body in pieces: the agent's own metrics and the rendered cgroup table. */
  readonly metrics: () => Promise<readonly (string | Buffer)[]>
  readonly metricsContentType: string
  readonly snapshot: () => SnapshotJson | undefined
  /** True once the first collection has finished. */
  readonly ready: () => boolean
  readonly logger: Logger
}

const INDEX = `<!doctype html><title>memlens</title><h1>memlens</h1><ul>
<li><a href="/metrics">/metrics</a> Prometheus metrics</li>
<li><a href="/api/v1/snapshot">/api/v1/snapshot</a> the latest collection as JSON</li>
<li><a href="/healthz">/healthz</a>, <a href="/readyz">/readyz</a></li></ul>\n`

function send(res: ServerResponse, status: number, type: string, body: string | readonly (string | Buffer)[]): void {
  const chunks = typeof body === 'string' ? [body] : body
  let length = 0
  for (const c of chunks) length += typeof c === 'string' ? Buffer.byteLength(c) : c.length
  res.writeHead(status, { 'content-type': type, 'content-length': length, 'cache-control': 'no-store' })
  if (res.req.method !== 'HEAD') for (const c of chunks) res.write(c)
  res.end()
}

export function createServer(deps: ServerDeps): Server {
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? '/').split('?')[0]
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD')
      send(res, 405, 'text/plain', 'method not allowed\n')
      return
    }
    switch (path) {
      case '/metrics':
        send(res, 200, deps.metricsContentType, await deps.metrics())
        return
      case '/healthz':
        send(res, 200, 'text/plain', 'ok\n')
        return
      case '/readyz':
        if (deps.ready()) send(res, 200, 'text/plain', 'ok\n')
        else send(res, 503, 'text/plain', 'waiting for the first collection\n')
        return
      case '/api/v1/snapshot': {
        const snap = deps.snapshot()
        if (snap === undefined) send(res, 503, 'application/json', '{"error":"waiting for the first collection"}\n')
        else send(res, 200, 'application/json', JSON.stringify(snap) + '\n')
        return
      }
      case '/':
        send(res, 200, 'text/html; charset=utf-8', INDEX)
        return
      default:
        send(res, 404, 'text/plain', 'not found\n')
    }
  }
  return createHttpServer((req, res) => {
    handle(req, res).catch((er: unknown) => {
      deps.logger.error({ err: er, url: req.url }, 'request failed')
      if (!res.headersSent) send(res, 500, 'text/plain', 'internal error\n')
      else res.destroy()
    })
  })
}
