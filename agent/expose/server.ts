// HTTP surface. createServer() builds the handler and never listens, so tests call it
// without a port. Nothing here reads cgroup files: it serves what the collector left.
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { Logger } from 'pino'
import type { SnapshotJson } from './snapshot-json.js'
import { acceptsGzip, sendDecompressed, type PublishedMetrics } from './publish.js'

export interface ServerDeps {
  /** The latest /metrics body, gzip-compressed; undefined before the first collection. */
  readonly metrics: () => PublishedMetrics | undefined
  readonly metricsContentType: string
  readonly snapshot: () => SnapshotJson | undefined
  /** The body of /api/v1/ooms: `{"ooms": [...]}`, most recent first. */
  readonly ooms: () => { readonly ooms: readonly unknown[] }
  /** True once the first collection has finished. */
  readonly ready: () => boolean
  readonly logger: Logger
}

const INDEX = `<!doctype html><title>memlens</title><h1>memlens</h1><ul>
<li><a href="/metrics">/metrics</a> Prometheus metrics</li>
<li><a href="/api/v1/snapshot">/api/v1/snapshot</a> the latest collection as JSON</li>
<li><a href="/api/v1/ooms">/api/v1/ooms</a> the OOM kills memlens explained, most recent first</li>
<li><a href="/healthz">/healthz</a>, <a href="/readyz">/readyz</a></li></ul>\n`

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' })
  res.end(res.req.method === 'HEAD' ? undefined : body)
}

async function sendMetrics(req: IncomingMessage, res: ServerResponse, deps: ServerDeps): Promise<void> {
  const metrics = deps.metrics()
  if (metrics === undefined) {
    send(res, 503, 'text/plain', 'waiting for the first collection\n')
    return
  }
  const headers = { 'content-type': deps.metricsContentType, 'cache-control': 'no-store', vary: 'accept-encoding' }
  if (acceptsGzip(req.headers['accept-encoding'])) {
    res.writeHead(200, { ...headers, 'content-encoding': 'gzip', 'content-length': metrics.gzipped.length })
    res.end(req.method === 'HEAD' ? undefined : metrics.gzipped)
    return
  }
  res.writeHead(200, { ...headers, 'content-length': metrics.textBytes })
  if (req.method === 'HEAD') res.end()
  else await sendDecompressed(metrics, res)
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
        await sendMetrics(req, res, deps)
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
      case '/api/v1/ooms':
        send(res, 200, 'application/json', JSON.stringify(deps.ooms()) + '\n')
        return
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
