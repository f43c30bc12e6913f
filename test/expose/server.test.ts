import { once } from 'node:events'
import { get, type Server } from 'node:http'
import { connect, type AddressInfo, type Socket } from 'node:net'
import t, { type Test } from 'tap'
import { pino } from 'pino'
import { gzipSync } from 'node:zlib'
import { createServer, HTTP_LIMITS, type ServerDeps } from '../../agent/expose/server.js'
import { acceptsGzip, PublishedMetrics } from '../../agent/expose/publish.js'
import { atWarnOrAbove, captureLogs } from '../helpers/logs.js'
import { until } from '../helpers/wait.js'

const LIMITS = { ...HTTP_LIMITS, maxInFlight: 40, writeTimeoutMs: 30_000 }
const json = (value: unknown): Promise<Buffer> => Promise.resolve(Buffer.from(JSON.stringify(value)))

t.test('routes', async (t) => {
  let ready = false
  const server = createServer({
    metrics: () => (ready ? Promise.resolve(new PublishedMetrics(gzipSync('m 1\nm 2\n'), 8)) : undefined),
    metricsContentType: 'text/plain; version=0.0.4; charset=utf-8',
    snapshot: () => (ready ? json({ cgroupVersion: 'v2', scope: 'all', collectedAt: 'x', containers: [], pods: [] }) : undefined),
    ready: () => ready,
    ooms: () => json({ ooms: [{ cause: 'anon' }] }),
    limits: LIMITS,
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
    ooms: () => json({ ooms: [] }),
    limits: LIMITS,
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

/** A server on 127.0.0.1 with the given deps over defaults; its logs, parsed. */
async function serverWith(t: Test, over: Partial<ServerDeps>): Promise<{ port: number; server: Server; logs: Record<string, unknown>[] }> {
  const { logger, logs } = captureLogs()
  const server = createServer({
    metrics: () => Promise.resolve(new PublishedMetrics(gzipSync('m 1\n'), 4)),
    metricsContentType: 'text/plain',
    snapshot: () => json({}),
    ready: () => true,
    ooms: () => json({ ooms: [] }),
    limits: LIMITS,
    logger,
    ...over,
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.teardown(() => {
    server.closeAllConnections()
    return new Promise<void>((r) => server.close(() => r()))
  })
  return { port: (server.address() as AddressInfo).port, server, logs }
}

t.test('beyond maxInFlight: 503 at once with Retry-After; /healthz and /readyz never refused', async (t) => {
  let release = (): void => undefined
  const held = new Promise<void>((r) => (release = r))
  let refused = 0
  const { port } = await serverWith(t, {
    metrics: () => held.then(() => new PublishedMetrics(gzipSync('m 1\n'), 4)),
    limits: { ...LIMITS, maxInFlight: 2 },
    onRefused: () => refused++,
  })
  const base = `http://127.0.0.1:${port}`
  const first = [fetch(`${base}/metrics`), fetch(`${base}/metrics`)]
  await until('two requests in flight', async () => (await fetch(`${base}/api/v1/snapshot`)).status === 503)
  const third = await fetch(`${base}/metrics`)
  t.equal(third.status, 503, 'a third /metrics is refused while two wait')
  t.equal(third.headers.get('retry-after'), '1')
  t.match(await third.text(), /too many requests in flight \(limit 2\)/)
  t.equal((await fetch(`${base}/api/v1/ooms`)).status, 503, 'the API counts too')
  t.equal((await fetch(`${base}/healthz`)).status, 200, '/healthz is never refused')
  t.equal((await fetch(`${base}/readyz`)).status, 200, '/readyz is never refused')
  t.ok(refused >= 3, `refusals reported (${refused})`)
  release()
  for (const r of await Promise.all(first)) t.equal(r.status, 200, 'the held requests are answered')
  t.equal((await fetch(`${base}/metrics`)).status, 200, 'their slots are free again')
})

t.test('maxInFlight 0 means no limit', async (t) => {
  let release = (): void => undefined
  const held = new Promise<void>((r) => (release = r))
  const { port } = await serverWith(t, {
    metrics: () => held.then(() => new PublishedMetrics(gzipSync('m 1\n'), 4)),
    limits: { ...LIMITS, maxInFlight: 0 },
  })
  const base = `http://127.0.0.1:${port}`
  const waiting = Array.from({ length: 50 }, () => fetch(`${base}/metrics`))
  t.equal((await fetch(`${base}/api/v1/snapshot`)).status, 200, 'answered with 50 requests in flight')
  release()
  for (const r of await Promise.all(waiting)) t.equal(r.status, 200)
})

/** A plain-text body bigger than what loopback sockets buffer, so sending it takes the client's reading. */
const BIG = Buffer.alloc(48 * 2 ** 20, 'm 1\n')
const bigMetrics = (): Promise<PublishedMetrics> => Promise.resolve(new PublishedMetrics(gzipSync(BIG, { level: 1 }), BIG.length))

t.test('a client that resets the connection mid-response is logged at debug only', async (t) => {
  const { port, logs } = await serverWith(t, { metrics: bigMetrics })
  for (let i = 0; i < 3; i++) {
    await new Promise<void>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => socket.write('GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n'))
      socket.once('data', () => socket.resetAndDestroy())
      socket.once('close', () => resolve())
    })
  }
  await until(
    'the server noticed',
    () => logs.filter((l) => l['msg'] === 'the client went away before the whole response was sent').length === 3,
  )
  t.same(atWarnOrAbove(logs), [], 'no warning or error')
})

t.test('a client that stops reading is cut after writeTimeoutMs', async (t) => {
  const { port, server, logs } = await serverWith(t, { metrics: bigMetrics, limits: { ...LIMITS, writeTimeoutMs: 200 } })
  const closed = new Promise<void>((resolve) => server.once('connection', (s: Socket) => s.once('close', () => resolve())))
  const socket = connect(port, '127.0.0.1', () => socket.write('GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n'))
  socket.pause() // reads nothing, ever
  t.teardown(() => socket.destroy())
  await closed
  t.ok(
    logs.some((l) => /response cut: the client took nothing for 200 ms/.test(String(l['msg']))),
    'said why, at debug',
  )
  t.same(atWarnOrAbove(logs), [])
})

t.test('a client that never finishes its headers is closed (slowloris)', async (t) => {
  const { port } = await serverWith(t, { limits: { ...LIMITS, headersTimeoutMs: 200, checkIntervalMs: 50 } })
  const socket = connect(port, '127.0.0.1', () => socket.write('GET /metrics HTTP/1.1\r\nHost: x\r\n'))
  let reply = ''
  socket.on('data', (d: Buffer) => (reply += d.toString()))
  await once(socket, 'close')
  t.match(reply, /^HTTP\/1\.1 408/, 'Node answers 408 Request Timeout and closes')
})
