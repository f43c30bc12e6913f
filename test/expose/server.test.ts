import { get } from 'node:http'
import type { AddressInfo } from 'node:net'
import t from 'tap'
import { pino } from 'pino'
import { gzipSync } from 'node:zlib'
import { createServer } from '../../agent/expose/server.js'
import { acceptsGzip } from '../../agent/expose/publish.js'

t.test('routes', async (t) => {
  let ready = false
  const server = createServer({
    metrics: () => (ready ? { gzipped: gzipSync('m 1\nm 2\n'), textBytes: 8 } : undefined),
    metricsContentType: 'text/plain; version=0.0.4; charset=utf-8',
    snapshot: () => (ready ? { cgroupVersion: 'v2', scope: 'all', collectedAt: 'x', containers: [], pods: [] } : undefined),
    ready: () => ready,
    ooms: () => ({ ooms: [{ cause: 'anon' }] }),
    logger: pino({ level: 'silent' }),
  })
  server.listen(0, '127.0.0.1')
  await new Promise((r) => server.once('listening', r))
  t.teardown(() => new Promise<void>((r) => server.close(() => r())))
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

  t.equal((await fetch(`${base}/readyz`)).status, 503, 'not ready before the first collection')
  t.equal((await fetch(`${base}/metrics`)).status, 503, 'no metrics before the first collection')
  t.equal((await fetch(`${base}/api/v1/snapshot`)).status, 503)
  t.equal((await fetch(`${base}/healthz`)).status, 200, 'healthy from the start')
  ready = true
  t.equal((await fetch(`${base}/readyz`)).status, 200)
  const snap = await fetch(`${base}/api/v1/snapshot`)
  t.equal(snap.headers.get('content-type'), 'application/json')
  t.same(await snap.json(), { cgroupVersion: 'v2', scope: 'all', collectedAt: 'x', containers: [], pods: [] })
  const ooms = await fetch(`${base}/api/v1/ooms`)
  t.equal(ooms.headers.get('content-type'), 'application/json')
  t.same(await ooms.json(), { ooms: [{ cause: 'anon' }] })
  const m = await fetch(`${base}/metrics?x=1`)
  t.equal(m.headers.get('content-encoding'), 'gzip', 'fetch asks for gzip, as Prometheus does')
  t.equal(await m.text(), 'm 1\nm 2\n')
  t.match(m.headers.get('content-type') ?? '', /version=0\.0\.4/)
  const plain = await new Promise<{ headers: Record<string, unknown>; body: string }>((resolve, reject) => {
    get(`${base}/metrics`, (res) => {
      let body = ''
      res.on('data', (d: Buffer) => (body += d.toString()))
      res.on('end', () => resolve({ headers: res.headers, body }))
    }).on('error', reject)
  })
  t.equal(plain.headers['content-encoding'], undefined, 'a client without gzip gets plain text')
  t.equal(plain.headers['content-length'], '8')
  t.equal(plain.body, 'm 1\nm 2\n')
  t.equal((await fetch(`${base}/nope`)).status, 404)
  const post = await fetch(`${base}/metrics`, { method: 'POST' })
  t.equal(post.status, 405)
  t.equal(post.headers.get('allow'), 'GET, HEAD')
  const head = await fetch(`${base}/metrics`, { method: 'HEAD' })
  t.equal(head.status, 200)
  t.equal(await head.text(), '')
  t.match(await (await fetch(`${base}/`)).text(), '/metrics')
})

t.test('a failing handler answers 500 and logs', async (t) => {
  const lines: string[] = []
  const server = createServer({
    metrics: () => {
      throw new Error('boom')
    },
    metricsContentType: 'text/plain',
    snapshot: () => undefined,
    ready: () => true,
    ooms: () => ({ ooms: [] }),
    logger: pino({ level: 'error' }, { write: (s: string) => void lines.push(s) }),
  })
  server.listen(0, '127.0.0.1')
  await new Promise((r) => server.once('listening', r))
  t.teardown(() => new Promise<void>((r) => server.close(() => r())))
  const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`)
  t.equal(res.status, 500)
  t.match(JSON.parse(lines[0] ?? '{}'), { msg: 'request failed', url: '/metrics' })
})

t.test('acceptsGzip reads Accept-Encoding as RFC 9110 says', async (t) => {
  t.ok(acceptsGzip('gzip'))
  t.ok(acceptsGzip('gzip, deflate, br'))
  t.ok(acceptsGzip('br;q=1.0, gzip;q=0.8, *;q=0.1'))
  t.ok(acceptsGzip('*'))
  t.notOk(acceptsGzip(undefined))
  t.notOk(acceptsGzip('identity'))
  t.notOk(acceptsGzip('gzip;q=0'))
  t.notOk(acceptsGzip('xgzip, gzipx'))
})
