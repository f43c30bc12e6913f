// The benchmark's HTTP client. Like Prometheus it asks for gzip; the latency is what a
// scraper waits for the whole response, and the body is decompressed afterwards.
import http from 'node:http'
import { gunzipSync } from 'node:zlib'

export interface Response {
  readonly status: number
  /** Decompressed. */
  readonly body: Buffer
  readonly wireBytes: number
  readonly ms: number
}

const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 1 })

/** GET on one kept-alive connection, or a fresh connection (as the kubelet probes). */
export function get(url: string, { fresh = false } = {}): Promise<Response> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now()
    const req = http.get(url, { agent: fresh ? false : keepAlive, headers: { 'accept-encoding': 'gzip' } }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => {
        const ms = performance.now() - t0
        const raw = Buffer.concat(chunks)
        const body = res.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw
        resolve({ status: res.statusCode ?? 0, body, wireBytes: raw.length, ms })
      })
      res.on('error', reject)
    })
    req.setTimeout(30_000, () => req.destroy(new Error(`GET ${url} timed out`)))
    req.on('error', reject)
  })
}

/** Closes the kept-alive connection, so the process can exit. */
export function closeConnections(): void {
  keepAlive.destroy()
}
