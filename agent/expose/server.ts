// HTTP surface. createServer() builds the handler and never listens, so tests call it
// without a port. Nothing here reads cgroup files or renders: it sends the bodies the app
// derived from the latest collection (see per-collection.ts), the same Buffer to every
// request, so a thousand requests cost a thousand sends, not a thousand renders.
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { Logger } from 'pino'
import { errorCode } from '../kernel/errors.js'
import { acceptsGzip, type PublishedMetrics } from './publish.js'

export interface ServerDeps {
  /** The latest /metrics body, rendered on the first request after a collection; undefined before the first. */
  readonly metrics: () => Promise<PublishedMetrics> | undefined
  readonly metricsContentType: string
  /** The body of /api/v1/snapshot (JSON and a newline); undefined before the first collection. */
  readonly snapshot: () => Promise<Buffer> | undefined
  /** The body of /api/v1/ooms: `{"ooms": [...]}`, most recent first. */
  readonly ooms: () => Promise<Buffer>
  /** True once the first collection has finished. */
  readonly ready: () => boolean
  readonly limits: HttpLimits
  /** A request refused because maxInFlight were already being answered. */
  readonly onRefused?: () => void
  readonly logger: Logger
}

export interface HttpLimits {
  /** Requests for /metrics and /api/ answered at once; beyond it 503 (0: no limit). */
  readonly maxInFlight: number
  /** A response that makes no progress this long (a client that stopped reading) is cut. */
  readonly writeTimeoutMs: number
  /** The request headers must have arrived within this (slowloris). */
  readonly headersTimeoutMs: number
  /** An idle keep-alive connection is closed after this. */
  readonly keepAliveTimeoutMs: number
  /** How often Node looks for connections past headersTimeoutMs. */
  readonly checkIntervalMs: number
}

/**
 * Prometheus sends its request at once and keeps one connection per target; a scrape of a
 * 2,500-cgroup node moves ~0.5 MB. Nothing legitimate needs more than these.
 */
export const HTTP_LIMITS = {
  headersTimeoutMs: 10_000,
  keepAliveTimeoutMs: 5_000,
  checkIntervalMs: 5_000,
} as const

const INDEX = `<!doctype html><title>memlens</title><h1>memlens</h1><ul>
<li><a href="/metrics">/metrics</a> Prometheus metrics</li>
<li><a href="/api/v1/snapshot">/api/v1/snapshot</a> the latest collection as JSON</li>
<li><a href="/api/v1/ooms">/api/v1/ooms</a> the OOM kills memlens explained, most recent first</li>
<li><a href="/healthz">/healthz</a>, <a href="/readyz">/readyz</a></li></ul>\n`

const WAITING = 'waiting for the first collection\n'

function send(res: ServerResponse, status: number, type: string, body: string | Buffer, headers: Record<string, string> = {}): void {
  res.writeHead(status, { ...headers, 'content-type': type, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' })
  res.end(res.req.method === 'HEAD' ? undefined : body)
}

async function sendMetrics(req: IncomingMessage, res: ServerResponse, deps: ServerDeps): Promise<void> {
  const pending = deps.metrics()
  if (pending === undefined) {
    send(res, 503, 'text/plain', WAITING)
    return
  }
  const metrics = await pending
  const headers = { 'content-type': deps.metricsContentType, 'cache-control': 'no-store', vary: 'accept-encoding' }
  if (acceptsGzip(req.headers['accept-encoding'])) {
    res.writeHead(200, { ...headers, 'content-encoding': 'gzip', 'content-length': metrics.gzipped.length })
    res.end(req.method === 'HEAD' ? undefined : metrics.gzipped)
    return
  }
  const text = req.method === 'HEAD' ? undefined : await metrics.text()
  res.writeHead(200, { ...headers, 'content-length': metrics.textBytes })
  res.end(text)
}

async function sendJson(res: ServerResponse, body: Promise<Buffer> | undefined): Promise<void> {
  if (body === undefined) send(res, 503, 'application/json', '{"error":"waiting for the first collection"}\n')
  else send(res, 200, 'application/json', await body)
}

/** The client closed the connection before it had the whole response: its business, not an error. */
export function isClientGone(er: unknown, res: ServerResponse): boolean {
  const code = errorCode(er)
  return (
    res.destroyed ||
    code === 'ECONNRESET' ||
    code === 'EPIPE' ||
    code === 'ECONNABORTED' ||
    code === 'ERR_STREAM_PREMATURE_CLOSE' ||
    code === 'ERR_STREAM_DESTROYED'
  )
}

/** The paths that cost something to answer, and so count against maxInFlight. */
const LIMITED = new Set(['/metrics', '/api/v1/snapshot', '/api/v1/ooms'])

export function createServer(deps: ServerDeps): Server {
  const { limits, logger } = deps
  let inFlight = 0
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? '/').split('?')[0] ?? '/'
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD')
      send(res, 405, 'text/plain', 'method not allowed\n')
      return
    }
    if (LIMITED.has(path)) {
      // Like node_exporter's --web.max-requests: refuse at once rather than queue, so a flood
      // of requests costs neither memory nor the event loop (/healthz is never refused).
      if (limits.maxInFlight > 0 && inFlight >= limits.maxInFlight) {
        deps.onRefused?.()
        send(res, 503, 'text/plain', `too many requests in flight (limit ${limits.maxInFlight}), try again later\n`, { 'retry-after': '1' })
        return
      }
      inFlight++
      res.once('close', () => inFlight--)
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
        else send(res, 503, 'text/plain', WAITING)
        return
      case '/api/v1/snapshot':
        await sendJson(res, deps.snapshot())
        return
      case '/api/v1/ooms':
        await sendJson(res, deps.ooms())
        return
      case '/':
        send(res, 200, 'text/html; charset=utf-8', INDEX)
        return
      default:
        send(res, 404, 'text/plain', 'not found\n')
    }
  }
  const server = createHttpServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      // A GET has no body: the whole request is its headers.
      requestTimeout: limits.headersTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      connectionsCheckingInterval: limits.checkIntervalMs,
    },
    (req, res) => {
      // An inactivity timeout on the socket while this response is on it: a client that stops
      // reading does not hold the connection and its buffers forever. Node replaces it with
      // keepAliveTimeout once the response is sent.
      res.setTimeout(limits.writeTimeoutMs, () => {
        logger.debug({ url: req.url }, `response cut: the client took nothing for ${limits.writeTimeoutMs} ms`)
        res.destroy()
      })
      // Neither 'finish' nor writableFinished tells a response that reached the client from one
      // whose socket died under it: Node emits 'finish' after ECONNRESET too. The socket's error does.
      let sent = false
      res.once('finish', () => (sent = true))
      res.once('close', () => {
        const gone = req.socket.errored
        if (!sent || gone !== null)
          logger.debug({ url: req.url, code: errorCode(gone) }, 'the client went away before the whole response was sent')
      })
      handle(req, res).catch((er: unknown) => {
        // Logged at debug by the close listener above.
        if (isClientGone(er, res)) return
        logger.error({ err: er, url: req.url }, 'request failed')
        if (!res.headersSent) send(res, 500, 'text/plain', 'internal error\n')
        else res.destroy()
      })
    },
  )
  return server
}
