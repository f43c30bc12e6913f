// The agent under load, on 127.0.0.1 only: hundreds of concurrent scrapes and snapshot
// requests are answered correctly or refused at once, /healthz keeps answering, every body is
// derived once per collection, and a client that goes away is not an error. Counts and
// orders of events, never timings.
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http'
import { connect } from 'node:net'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { gunzipSync } from 'node:zlib'
import t from 'tap'
import { wideTree } from '../fixtures/wide-tree.js'
import { agentFrom } from '../helpers/agent.js'

interface Reply {
  readonly status: number
  readonly headers: IncomingHttpHeaders
  readonly body: Buffer
}

/** One request on its own connection. */
function get(port: number, path: string, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }))
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end()
  })
}

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

const errorsIn = (logs: readonly Record<string, unknown>[]): Record<string, unknown>[] =>
  logs.filter((l) => typeof l['level'] === 'number' && l['level'] >= 40)

t.test('nothing is rendered or serialized until a request asks, then once per collection', async (t) => {
  const root = t.testdir({})
  wideTree(root, 10)
  const { agent } = await agentFrom(['--cgroup-root', root])
  t.teardown(() => agent.stop())
  const { port } = await agent.listen('127.0.0.1', 0)
  for (let i = 0; i < 3; i++) await agent.core.collector.collect()
  t.same(agent.derived(), { metrics: 0, snapshot: 0, ooms: 0 }, 'three collections, nobody asking: nothing rendered')
  t.equal((await get(port, '/readyz')).status, 200, 'ready once a collection finished, rendered or not')
  t.equal((await get(port, '/metrics', { 'accept-encoding': 'gzip' })).status, 200)
  t.equal((await get(port, '/metrics')).status, 200, 'plain text too')
  t.equal((await get(port, '/api/v1/snapshot')).status, 200)
  t.equal((await get(port, '/api/v1/snapshot')).status, 200)
  t.same(agent.derived(), { metrics: 1, snapshot: 1, ooms: 0 }, 'two requests of each, one derivation')
  await agent.core.collector.collect()
  t.same(agent.derived(), { metrics: 1, snapshot: 1, ooms: 0 }, 'a collection alone renders nothing')
  const again = await get(port, '/metrics', { 'accept-encoding': 'gzip' })
  t.same(agent.derived().metrics, 2, 'the first scrape after a collection renders it')
  t.match(gunzipSync(again.body).toString(), /memlens_collect_duration_seconds_count 4\n/, 'and sees every collection')
})

t.test('hundreds of concurrent requests: answered or refused at once, /healthz always', async (t) => {
  const root = t.testdir({})
  const cgroups = wideTree(root, 60)
  const { agent, logs } = await agentFrom(['--cgroup-root', root])
  t.teardown(() => agent.stop())
  const { port } = await agent.listen('127.0.0.1', 0)
  await agent.core.collector.collect()
  gc()
  const heapBefore = process.memoryUsage().heapUsed

  const kinds = ['gzip', 'plain', 'snapshot'] as const
  const flood = Array.from({ length: 300 }, (_, i) => {
    const kind = kinds[i % kinds.length] ?? 'gzip'
    const reply =
      kind === 'snapshot' ? get(port, '/api/v1/snapshot') : get(port, '/metrics', kind === 'gzip' ? { 'accept-encoding': 'gzip' } : {})
    return reply.then((r) => ({ kind, ...r }))
  })
  const health = Array.from({ length: 30 }, () => get(port, '/healthz'))
  const replies = await Promise.all(flood)
  const healthReplies = await Promise.all(health)

  t.ok(
    healthReplies.every((r) => r.status === 200),
    '/healthz answered 200 every time, never refused',
  )
  const metricsText = await agent.metrics()
  const counts = { ok: 0, refused: 0, other: 0 }
  for (const r of replies) {
    if (r.status === 503) {
      counts.refused++
      if (r.headers['retry-after'] !== '1') t.fail(`a 503 without Retry-After: ${JSON.stringify(r.headers)}`)
      continue
    }
    if (r.status !== 200) {
      counts.other++
      continue
    }
    counts.ok++
    if (r.kind === 'snapshot') {
      const snap = JSON.parse(r.body.toString()) as { containers: unknown[]; pods: unknown[] }
      if (snap.containers.length + snap.pods.length !== cgroups) t.fail('a snapshot missing cgroups')
    } else {
      const text = r.kind === 'gzip' ? gunzipSync(r.body).toString() : r.body.toString()
      if (text !== metricsText) t.fail(`a ${r.kind} /metrics body differs from the rendered one`)
    }
  }
  t.equal(counts.other, 0, 'every request got 200 or 503')
  t.ok(counts.ok > 0, `${counts.ok} answered, ${counts.refused} refused`)
  t.same(agent.derived(), { metrics: 1, snapshot: 1, ooms: 0 }, 'one render and one JSON for 300 requests')
  await agent.core.collector.collect()
  const refusedSeries = /^memlens_http_requests_refused_total (\d+)$/m.exec(await agent.metrics())
  t.equal(Number(refusedSeries?.[1]), counts.refused, 'refusals are counted in /metrics')
  t.same(errorsIn(logs), [], 'no warnings or errors logged')
  gc()
  const grownBytes = process.memoryUsage().heapUsed - heapBefore
  // Loose: the bodies of one collection, not one copy per request (300 JSON copies of this tree are ~100 MB).
  t.ok(grownBytes < 32 * 2 ** 20, `the heap grew ${(grownBytes / 2 ** 20).toFixed(1)} MB across the flood`)
})

t.test('clients that reset after the first bytes, and complete plain-text scrapes, log nothing at warn or above', async (t) => {
  const root = t.testdir({})
  wideTree(root, 60)
  const { agent, logs } = await agentFrom(['--cgroup-root', root])
  t.teardown(() => agent.stop())
  const { port } = await agent.listen('127.0.0.1', 0)
  await agent.core.collector.collect()
  for (const path of ['/metrics', '/api/v1/snapshot']) {
    for (let i = 0; i < 10; i++) {
      // Like `curl | head`: the first bytes, then the connection is reset.
      await new Promise<void>((resolve) => {
        const socket = connect(port, '127.0.0.1', () => socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`))
        socket.once('data', () => socket.resetAndDestroy())
        socket.once('close', () => resolve())
      })
    }
  }
  // Complete plain-text scrapes, whose clients close as soon as they have the body.
  for (let i = 0; i < 20; i++) t.equal((await get(port, '/metrics')).status, 200)
  t.equal((await get(port, '/healthz')).status, 200, 'the agent is fine')
  t.same(errorsIn(logs), [], 'nothing at warn or above')
})
