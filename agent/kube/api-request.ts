// One request to the API server over node:http(s), with the TLS, proxy and credentials the
// library's KubeConfig works out (applyToHTTPSOptions: the same agent its own Watch uses).
// The response body is the caller's to read, under its own cap (capped.ts).
import http from 'node:http'
import https from 'node:https'
import type { IncomingMessage } from 'node:http'
import type { KubeConfig } from './client.js'
import { readCapped } from './capped.js'

/** An error Status body is small; anything past this is not worth reading. */
const ERROR_BODY_MAX_BYTES = 64 * 1024

export type Query = Readonly<Record<string, string | number | boolean | undefined>>

export interface ApiRequest {
  readonly method?: 'GET' | 'POST'
  /** From the server's root, e.g. /api/v1/pods. */
  readonly path: string
  readonly query?: Query
  /** JSON, for POST. */
  readonly body?: string
  readonly signal: AbortSignal
}

/** A response other than 2xx; `body` is the server's Status JSON when it sent one. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly statusCode: number,
    readonly body: string,
  ) {
    super(message)
    this.name = 'ApiError'
  }
}

/** The library writes headers as an object; the raw-array form is never used. */
function headerObject(headers: https.RequestOptions['headers']): http.OutgoingHttpHeaders {
  return headers === undefined || isArray(headers) ? {} : headers
}

function isArray(value: unknown): value is readonly unknown[] {
  return Array.isArray(value)
}

export function apiUrl(kubeConfig: KubeConfig, path: string, query: Query = {}): URL {
  const cluster = kubeConfig.getCurrentCluster()
  if (cluster === null) throw new Error('No currently active cluster')
  // As the library builds it: the server may carry a path prefix (a proxy), kept as is.
  const url = new URL(cluster.server + path)
  for (const [key, value] of Object.entries(query)) if (value !== undefined) url.searchParams.set(key, String(value))
  return url
}

/**
 * Sends the request and resolves with the response once its headers arrived with a 2xx status;
 * rejects with ApiError for any other status (its body read up to 64 KiB), or the network error.
 */
export async function apiRequest(kubeConfig: KubeConfig, request: ApiRequest): Promise<IncomingMessage> {
  const url = apiUrl(kubeConfig, request.path, request.query)
  const options: https.RequestOptions = {}
  await kubeConfig.applyToHTTPSOptions(options)
  const headers: http.OutgoingHttpHeaders = { ...headerObject(options.headers), accept: 'application/json' }
  if (request.body !== undefined) {
    headers['content-type'] = 'application/json'
    headers['content-length'] = Buffer.byteLength(request.body)
  }
  const send = url.protocol === 'http:' ? http.request : https.request
  const response = await new Promise<IncomingMessage>((resolve, reject) => {
    const req = send(url, { ...options, method: request.method ?? 'GET', headers, signal: request.signal }, resolve)
    req.on('error', reject)
    req.end(request.body)
  })
  const status = response.statusCode ?? 0
  if (status >= 200 && status < 300) return response
  let body = ''
  try {
    body = (await readCapped(response, ERROR_BODY_MAX_BYTES, `the HTTP ${status} body`)).toString('utf8')
  } catch {
    // The status alone says what happened.
  }
  throw new ApiError(`HTTP ${status} ${response.statusMessage || http.STATUS_CODES[status] || ''}`.trim(), status, body)
}
