import type { AddressInfo } from 'node:net'
import t from 'tap'
import { pino } from 'pino'
import { createServer } from '../agent/server.js'

t.test('routes', async (t) => {
  let ready = false
  const server = createServer({
    metrics: async () => ['m 1\n', Buffer.from('m 2\n')],
    metricsContentType: 'text/plain; version=0.0.4; charset=utf-8',
    snapshot: () => (ready ? { cgroupVersion: 'v2', scope: 'all', collectedAt: 'x', containers: [], pods: [] } : undefined),
    ready: () => ready,
    logger: pino({ level: 'silent' }),
  })
  server.listen(0, '127.0.0.1')
  await new Promise((r) => server.once('listening', r))
  t.teardown(() => new Promise<void>((r) => server.close(() => r())))
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

  t.equal((await fetch(`${base}/readyz`)).status, 503, 'not ready before the first collection')
  t.equal((await fetch(`${base}/api/v1/snapshot`)).status, 503)
  t.equal((await fetch(`${base}/healthz`)).status, 200, 'healthy from the start')
  ready = true
  t.equal((await fetch(`${base}/readyz`)).status, 200)
  const snap = await fetch(`${base}/api/v1/snapshot`)
  t.equal(snap.headers.get('content-type'), 'application/json')
  t.same(await snap.json(), { cgroupVersion: 'v2', scope: 'all', collectedAt: 'x', containers: [], pods: [] })
  const m = await fetch(`${base}/metrics?x=1`)
  t.equal(await m.text(), 'm 1\nm 2\n', 'the pieces in order')
  t.equal(m.headers.get('content-length'), '8')
  t.match(m.headers.get('content-type') ?? '', /version=0\.0\.4/)
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
    metrics: async () => {
      throw new Error('boom')
    },
    metricsContentType: 'text/plain',
    snapshot: () => undefined,
    ready: () => true,
    logger: pino({ level: 'error' }, { write: (s: string) => void lines.push(s) }),
  })
  server.listen(0, '127.0.0.1')
  await new Promise((r) => server.once('listening', r))
  t.teardown(() => new Promise<void>((r) => server.close(() => r())))
  const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`)
  t.equal(res.status, 500)
  t.match(JSON.parse(lines[0] ?? '{}'), { msg: 'request failed', url: '/metrics' })
})
