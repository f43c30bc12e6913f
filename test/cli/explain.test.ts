import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { PassThrough } from 'node:stream'
import t from 'tap'
import { pino } from 'pino'
import { runCli, type CliIo } from '../../agent/cli/run.js'
import { NO_KILLS, parseOoms, runExplain } from '../../agent/cli/explain.js'
import { ConfigError } from '../../agent/config.js'
import type { OomJson, OomsJson } from '../../agent/expose/ooms-json.js'
import { OOMS } from './ooms-fixture.js'

type Handler = (req: IncomingMessage, res: ServerResponse) => void

/** A stand-in agent on 127.0.0.1:0; returns its URL and the paths it was asked for. */
async function agent(t: { teardown: (fn: () => unknown) => void }, handler: Handler): Promise<{ url: string; paths: string[] }> {
  const paths: string[] = []
  const server = createServer((req, res) => {
    paths.push(req.url ?? '')
    handler(req, res)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => {
    server.closeAllConnections()
    return new Promise<void>((resolve) => server.close(() => resolve()))
  })
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, paths }
}

const serving =
  (body: unknown, status = 200): Handler =>
  (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json' })
    res.end(typeof body === 'string' ? body : JSON.stringify(body))
  }

function io(columns?: number): CliIo & { out: () => string; err: () => string } {
  let out = ''
  let err = ''
  const stdout = Object.assign(new PassThrough(), columns === undefined ? {} : { columns })
  const stderr = new PassThrough()
  stdout.on('data', (d: Buffer) => (out += d.toString()))
  stderr.on('data', (d: Buffer) => (err += d.toString()))
  return { env: {}, stdout, stderr, stdin: new PassThrough(), logger: pino({ level: 'silent' }), out: () => out, err: () => err }
}

const body: OomsJson = { ooms: OOMS }

t.test('prints every explanation, most recent first', async (t) => {
  const { url, paths } = await agent(t, serving(body))
  const cli = io(132)
  t.equal(await runCli(['explain', '--server', url], cli), 0)
  t.same(paths, ['/api/v1/ooms'])
  const text = cli.out()
  t.match(text, /^2026-11-27 12:00:03Z {2}cdi\/importer-disk-7x\/importer {2}dirty_page_cache, container limit, 2 kills\n/)
  t.match(text, /\n {2}OOM-killed at the container memory limit: dirty_page_cache, written data waiting for the disk/)
  t.match(
    text,
    /\n {2}at the kill {2}limit 600 MiB, usage 600 MiB, anon 3\.2 MiB, clean cache 14 MiB, dirty 391 MiB, writeback 188 MiB, shmem 0 MiB,\n {15}kernel 3\.5 MiB \(the kernel's report\)\n/,
  )
  t.match(text, /\n {2}peaks {8}dirty\+writeback 579 MiB, 2865 limit hits\/s \(before the kill\)\n/)
  t.match(text, /\n {2}processes {4}RSS 52 MiB in 2; largest qemu-img \(pid 4242, 49 MiB\), sh \(pid 4201, 1\.2 MiB\)\n/)
  t.match(text, /\n {2}killed {7}qemu-img \(pid 4242, 49 MiB\)\n/)
  t.match(text, /\n {2}why {10}the kernel's OOM cgroup had the container's limit \(600 MiB\)\n/)
  t.match(text, /\n {2}what to do {3}- write with O_DIRECT/)
  t.notMatch(text, /To fix:/, 'the advice is listed once, not again inside the message')
  t.match(
    text,
    /\n\n2026-11-27 11:00:03Z {2}jobs\/cruncher-0\/main {2}anon, container limit\n/,
    'the older kill second, after a blank line',
  )
  t.match(text, /dirty 0 MiB, writeback 0 MiB \(memlens' samples\)/)
  t.notMatch(text, /killed {7}python3/, 'no victim without the kernel report')
  for (const line of text.split('\n')) t.ok(line.length <= 132, `fits 132 columns: ${line}`)
  t.equal(cli.err(), '')
})

t.test('wraps to the terminal, 80 columns in a pipe', async (t) => {
  const { url } = await agent(t, serving(body))
  for (const columns of [undefined, 60, 100]) {
    const cli = io(columns)
    t.equal(await runCli(['explain', '--server', url], cli), 0)
    const lines = cli.out().split('\n')
    for (const line of lines) t.ok(line.length <= (columns ?? 80), `${columns ?? 'pipe'}: ${JSON.stringify(line)}`)
    if (columns === 60)
      t.match(
        cli.out(),
        /^2026-11-27 12:00:03Z {2}cdi\/importer-disk-7x\/importer\n {2}dirty_page_cache, container limit, 2 kills\n/,
        'the cause moves under the name',
      )
  }
})

t.test('NAMESPACE/POD and NAMESPACE filter', async (t) => {
  const { url } = await agent(t, serving(body))
  const pod = io()
  t.equal(await runCli(['explain', 'cdi/importer-disk-7x', '--server', url], pod), 0)
  t.match(pod.out(), /cdi\/importer-disk-7x\/importer/)
  t.notMatch(pod.out(), /cruncher/)
  const ns = io()
  t.equal(await runCli(['explain', 'jobs', '--server', url], ns), 0)
  t.match(ns.out(), /^2026-11-27 11:00:03Z {2}jobs\/cruncher-0\/main/)
  t.notMatch(ns.out(), /importer/)
  const none = io()
  t.equal(await runCli(['explain', 'cdi/other-0', '--server', url], none), 0)
  t.equal(none.out(), 'no OOM kills of cdi/other-0 explained since the agent started (2 of other pods: memlens explain lists them)\n')
  const json = io()
  t.equal(await runCli(['explain', 'cdi/importer-disk-7x', '--json', '--server', url], json), 0)
  const parsed = JSON.parse(json.out()) as OomsJson
  t.same(parsed, { ooms: OOMS.filter((o) => o.pod === 'importer-disk-7x') }, '--json: the filtered explanations as the agent sent them')
})

t.test("--json prints the agent's JSON", async (t) => {
  const { url } = await agent(t, serving(body))
  const cli = io()
  t.equal(await runCli(['explain', '--json', '--server', url], cli), 0)
  t.same(JSON.parse(cli.out()), body)
  t.match(cli.out(), /^\{\n {2}"ooms": \[\n/, 'indented for reading')
})

t.test('no kills: one line, exit 0', async (t) => {
  const { url } = await agent(t, serving({ ooms: [] }))
  const cli = io()
  t.equal(await runCli(['explain', '--server', url], cli), 0)
  t.equal(cli.out(), `${NO_KILLS}\n`)
  t.equal(NO_KILLS, 'no OOM kills explained since the agent started')
  const ns = io()
  t.equal(await runCli(['explain', 'kube-system', '--server', url], ns), 0)
  t.equal(ns.out(), 'no OOM kills in namespace kube-system explained since the agent started\n')
  const json = io()
  t.equal(await runCli(['explain', '--json', '--server', url], json), 0)
  t.same(JSON.parse(json.out()), { ooms: [] })
})

t.test('MEMLENS_SERVER, and a server behind a path prefix', async (t) => {
  const { url, paths } = await agent(t, serving(body))
  const cli = { ...io(), env: { MEMLENS_SERVER: `${url}/api/v1/namespaces/monitoring/services/memlens:9597/proxy/` } }
  t.equal(await runCli(['explain'], cli), 0)
  t.same(paths, ['/api/v1/namespaces/monitoring/services/memlens:9597/proxy/api/v1/ooms'])
})

t.test('an unreachable agent: one line that says what to do, exit 1', async (t) => {
  // A port that was just free: nothing listens there.
  const { url } = await agent(t, serving(body))
  const closed = createServer()
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
  const port = (closed.address() as AddressInfo).port
  await new Promise<void>((resolve) => closed.close(() => resolve()))
  const cli = io()
  t.equal(await runCli(['explain', '--server', `http://127.0.0.1:${port}`], cli), 1)
  t.equal(cli.out(), '')
  t.match(
    cli.err(),
    new RegExp(
      `^memlens: cannot reach a memlens agent at http://127\\.0\\.0\\.1:${port} \\(ECONNREFUSED\\): start one with "memlens serve", or point --server \\(MEMLENS_SERVER\\) at a running agent\\n$`,
    ),
  )
  t.ok(url, 'the other agent is not asked')
})

t.test('answers that are not explanations: one line, exit 1', async (t) => {
  const cases: [Handler, RegExp][] = [
    [serving({ error: 'not found' }, 404), /\/api\/v1\/ooms answered 404: the agent there is older than this memlens, or not memlens\n$/],
    [serving('oops', 500), /\/api\/v1\/ooms answered HTTP 500\n$/],
    [serving('<html>hello</html>'), /\/api\/v1\/ooms did not answer with JSON: is --server a memlens agent\?\n$/],
    [serving({ ooms: 'none' }), /did not answer with OOM explanations/],
    [serving({ ooms: [{ time: 1 }] }), /did not answer with OOM explanations/],
    [serving([]), /did not answer with OOM explanations/],
  ]
  for (const [handler, re] of cases) {
    const { url } = await agent(t, handler)
    const cli = io()
    t.equal(await runCli(['explain', '--server', url], cli), 1)
    t.match(cli.err(), /^memlens: http:\/\/127\.0\.0\.1:\d+/)
    t.match(cli.err(), re)
    t.equal(cli.err().split('\n').length, 2, 'one line')
  }
})

t.test('an agent that does not answer', async (t) => {
  const { url } = await agent(t, () => {
    // Never answers; the teardown closes the connection.
  })
  const cli = io()
  t.equal(await runExplain({ server: url, target: undefined, json: false }, cli, 50), 1)
  t.equal(cli.err(), `memlens: the memlens agent at ${url} did not answer within 0.05s\n`)
})

t.test('usage errors are ConfigErrors (exit 2), before anything is asked', async (t) => {
  const { url, paths } = await agent(t, serving(body))
  for (const argv of [
    ['explain', 'a/b/c'],
    ['explain', 'Default/web'],
    ['explain', 'a', 'b'],
    ['explain', '--server', 'ftp://x'],
    ['explain', '--pods'],
  ]) {
    await t.rejects(runCli([...argv, ...(argv.includes('--server') ? [] : ['--server', url])], io()), ConfigError, argv.join(' '))
  }
  t.same(paths, [])
})

t.test('what the agent sends cannot drive the terminal', async (t) => {
  const evil: OomJson = {
    ...(OOMS[1] as OomJson),
    pod: 'x\u001b]0;pwned\u0007',
    message: 'bad\u001b[2J news. More.',
    evidence: ['\u001b[31mred'],
  }
  const { url } = await agent(t, serving({ ooms: [evil] }))
  const cli = io()
  t.equal(await runCli(['explain', '--server', url], cli), 0)
  t.notMatch(cli.out(), /\u001b|\u0007/)
  t.match(cli.out(), /jobs\/x\?\]0;pwned\?\/main/)
  const err = io()
  const { url: bad } = await agent(t, serving('nope\u001b[2J', 503))
  t.equal(await runCli(['explain', '--server', bad], err), 1)
  t.notMatch(err.err(), /\u001b/)
})

t.test('parseOoms tolerates figures it does not know, and missing ones', async (t) => {
  const sparse = { ...(OOMS[1] as OomJson), numbers: { limitBytes: 'lots', futureFigure: 7 } }
  const [parsed] = parseOoms(JSON.stringify({ ooms: [sparse] }), 'u')
  t.ok(parsed)
  const { url } = await agent(t, serving({ ooms: [sparse] }))
  const cli = io()
  t.equal(await runCli(['explain', '--server', url], cli), 0)
  t.notMatch(cli.out(), /\n {2}at the kill|lots|\n {2}processes/, 'no figure rows without figures')
  t.match(cli.out(), /\n {2}why /)
})

t.test('unnamed kills: null names (and "" from older agents) print the cgroup id', async (t) => {
  const unnamed: OomJson = { ...(OOMS[1] as OomJson), namespace: null, pod: null, container: null }
  const older = { ...(OOMS[1] as OomJson), id: '/older/agent', namespace: '', pod: '', container: '' }
  const { url } = await agent(t, serving({ ooms: [unnamed, older] }))
  const cli = io(132)
  t.equal(await runCli(['explain', '--server', url], cli), 0)
  t.match(cli.out(), new RegExp(`^\\S+ \\S+ {2}${unnamed.id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} {2}`, 'm'))
  t.match(cli.out(), /^\S+ \S+ {2}\/older\/agent {2}/m)
  const ns = io()
  t.equal(await runCli(['explain', 'jobs', '--server', url], ns), 0)
  t.match(ns.out(), /^no OOM kills in namespace jobs/, 'an unnamed kill is in no namespace')
})
