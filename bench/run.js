// memlens benchmark (issue 2): one run, two generated trees (cgroup v1 and v2), four figures
// against their targets, each measured beside its baseline in the same run:
//
//   (1) a collection cycle (Collector.collect(), in-process)  vs  bench/floor.c on the same files
//   (2) GET /metrics latency, median, on `memlens serve` at the default interval
//   (3) the agent's resident memory (VmHWM, the peak, from /proc/<pid>/status)
//   (4) GET /healthz p99 while the agent collects back to back (--interval 100ms)
//
//   npm run bench                    build, then the full run: 500 pods x 4 containers (1-2 min)
//   npm run bench -- --quick         50 pods, fewer repetitions (smoke run, ~25 s)
//   node bench/run.js --quick        the same without rebuilding dist/
//   node bench/run.js --versions v2 --pods 200 --containers 4 --keep --tmpdir /tmp
//   node bench/run.js --real         the same figures on REAL cgroup v1 memory cgroups, made below
//                                    this process's own memory cgroup (bench/real-tree.js) and
//                                    always removed; v1 only (~25 s; --quick, --pods apply)
//
// Prints a table and writes bench/out/results.json (results-real.json for --real). The targets
// are reported, not asserted: the exit code is 0 whatever the figures are, 1 only when a measurement could not be made.
import { spawn, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import http from 'node:http'
import { syncBuiltinESMExports } from 'node:module'
import os from 'node:os'
import { basename, dirname, join, resolve } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import zlib from 'node:zlib'
import { FILES, floorArgs } from './files.js'
import { generateTree } from './gen-tree.js'
import {
  allDirsUnder,
  buildRealTree,
  CGROUP_ROOT as CGROUP_ROOT_REAL,
  ownMemoryCgroup,
  planRealTree,
  realUnavailable,
  removeRealTree,
  removeStale,
  staleRuns,
  V1_MEMORY_ROOT,
  v2SkipReason,
} from './real-tree.js'

const BENCH = dirname(fileURLToPath(import.meta.url))
const REPO = resolve(BENCH, '..')
const OUT = join(BENCH, 'out')
const DIST = join(REPO, 'dist', 'agent')
const MAIN = join(DIST, 'main.js')
// The agent runs with the V8 flags `npm start` and the image's ENTRYPOINT give it.
const NODE_FLAGS = (JSON.parse(fs.readFileSync(join(REPO, 'package.json'), 'utf8')).scripts?.start ?? '')
  .split(' ')
  .filter((w) => w.startsWith('--max-'))

const TARGETS = Object.freeze({
  cycleRatio: 1.3,
  metricsMedianMs: 25,
  rssBytes: 100e6,
  healthzP99Ms: 20,
})

const CAVEAT =
  'The trees live on %FS%, not cgroupfs: every read is a copy from the page cache, while on a node ' +
  'each read of memory.stat & co. runs kernel code (a flush of per-cpu memcg statistics, then ' +
  'kernfs/seq_file formatting). Absolute times here are therefore not those of a node; the ratio to ' +
  'the C floor on the same tree is the figure that carries over. The kernel share of each read is ' +
  'paid alike by both sides and is larger on cgroupfs, while the agent\'s extra cost is user space, ' +
  'so on a real node the ratio should be no worse than here.'

const REAL_CAVEAT =
  'These are real kernel files: the tree is made of real cgroup v1 memory cgroups (kernel ' +
  '%KERNEL%), so every read of memory.stat & co. runs the kernel\'s code (memcg statistics flush, ' +
  'seq_file formatting) as on a node, for the agent and the C floor alike. But the cgroups are ' +
  'empty (%WRITTEN%), so the pending per-cpu statistics to flush are few and the values are ' +
  'mostly 0; on a busy node with many CPUs and real workloads the kernel share of each read is ' +
  'larger, which pushes the ratio further towards 1. The tree sits under this process\'s own ' +
  'memory cgroup (%PARENT%), so paths are longer than on a node.'

const { values: opts } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    pods: { type: 'string' },
    containers: { type: 'string' },
    versions: { type: 'string', default: 'v1,v2' },
    keep: { type: 'boolean', default: false },
    tmpdir: { type: 'string' },
    real: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
})
if (opts.help) {
  console.log('usage: node bench/run.js [--quick] [--pods N] [--containers N] [--versions v1,v2] [--keep] [--tmpdir DIR] [--real]')
  process.exit(0)
}

const PLAN = Object.freeze({
  pods: Number(opts.pods ?? (opts.quick ? 50 : 500)),
  containersPerPod: Number(opts.containers ?? 4),
  // Agent cycles and C passes alternate in rounds, so a change of load on the machine during
  // the run lands on both sides alike.
  rounds: opts.quick ? 3 : 5,
  passesPerRound: 3,
  floorWarmup: 1,
  cycleWarmup: 3,
  metricsRequests: opts.quick ? 20 : 50,
  /** Stop sampling /metrics after this long even if fewer requests were made (a slow agent). */
  metricsBudgetMs: opts.quick ? 4000 : 10_000,
  healthzRequests: opts.quick ? 150 : 500,
  healthzSpacingMs: 5,
  continuousInterval: '100ms',
})
const VERSIONS = opts.versions.split(',').map((v) => v.trim())
for (const v of VERSIONS) if (v !== 'v1' && v !== 'v2') throw new Error(`--versions: ${v} is not v1 or v2`)
// One table column per tree: the tmpfs trees by default, the real cgroup v1 tree with --real.
const COLUMNS = opts.real
  ? VERSIONS.includes('v1')
    ? [{ key: 'v1-real', version: 'v1', real: true, label: 'cgroup v1 (real cgroupfs)' }]
    : []
  : VERSIONS.map((v) => ({ key: v, version: v, real: false, label: `cgroup ${v}` }))
const SKIPPED = opts.real && VERSIONS.includes('v2') ? [`v2: skipped: ${v2SkipReason()}`] : []

// ---------------------------------------------------------------------------------------------
// Small helpers

function quantile(values, q) {
  if (values.length === 0) return NaN
  const s = [...values].sort((a, b) => a - b)
  // Nearest rank: the p99 of 500 samples is the 495th smallest.
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]
}
function median(values) {
  if (values.length === 0) return NaN
  const s = [...values].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}
const ms = (x) => (Number.isFinite(x) ? `${x < 10 ? x.toFixed(2) : x.toFixed(1)} ms` : 'n/a')
const mb = (bytes) => (Number.isFinite(bytes) ? `${(bytes / 1e6).toFixed(1)} MB` : 'n/a')
const round = (x, digits = 3) => (Number.isFinite(x) ? Number(x.toFixed(digits)) : null)
const log = (msg) => process.stderr.write(`[bench] ${msg}\n`)

function fsTypeOf(path) {
  // Longest mount point that prefixes path, from /proc/self/mounts.
  try {
    let best = { mp: '', type: 'unknown' }
    for (const line of fs.readFileSync('/proc/self/mounts', 'utf8').split('\n')) {
      const [, mp, type] = line.split(' ')
      if (mp === undefined || type === undefined) continue
      if ((path === mp || path.startsWith(mp.endsWith('/') ? mp : `${mp}/`)) && mp.length >= best.mp.length) best = { mp, type }
    }
    return best.type
  } catch {
    return 'unknown'
  }
}

function procStatus(pid) {
  const text = fs.readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = (key) => {
    const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)
    return m === null ? NaN : Number(m[1]) * 1024
  }
  return { vmRssBytes: kb('VmRSS'), vmHwmBytes: kb('VmHWM'), rssAnonBytes: kb('RssAnon'), rssFileBytes: kb('RssFile') }
}

// ---------------------------------------------------------------------------------------------
// (a) The C floor

function buildFloor() {
  fs.mkdirSync(OUT, { recursive: true })
  const bin = join(OUT, 'floor')
  const r = spawnSync('gcc', ['-O2', '-Wall', '-o', bin, join(BENCH, 'floor.c')], { encoding: 'utf8' })
  if (r.error !== undefined) throw new Error(`cannot run gcc: ${r.error.message}`)
  if (r.status !== 0) throw new Error(`gcc failed:\n${r.stderr}`)
  return bin
}

function runFloor(bin, tree, version, passes, warmup) {
  const args = [tree.listFile, version, String(passes), String(warmup), ...floorArgs(version)]
  const r = spawnSync(bin, args, { encoding: 'utf8', timeout: 120_000 })
  if (r.status !== 0) throw new Error(`floor exited ${r.status ?? r.signal}: ${r.stderr}`)
  return JSON.parse(r.stdout)
}

// ---------------------------------------------------------------------------------------------
// (b) The agent's collection cycle, in this process

async function importAgent() {
  const load = (rel) => import(pathToFileURL(join(DIST, rel)).href)
  const [hierarchy, collector, discover, exposition, kube, pino] = await Promise.all([
    load('cgroup/hierarchy.js'),
    load('collector.js'),
    load('cgroup/discover.js').catch(() => ({})),
    load('metrics/exposition.js').catch(() => ({})),
    load('kube/types.js').catch(() => ({})),
    import('pino'),
  ])
  const publish = await load('metrics/publish.js').catch(() => ({}))
  const native = await load('native.js').catch(() => ({}))
  return {
    findHierarchy: hierarchy.findHierarchy,
    Collector: collector.Collector,
    discover: discover.discover,
    SnapshotRenderer: exposition.SnapshotRenderer,
    publish: publish.publish,
    noMetadata: kube.noMetadata,
    reader: typeof native.nativeState === 'function' ? native.nativeState() : { loaded: false, reason: 'no native.js' },
    logger: pino.pino({ level: 'silent' }),
  }
}

/** Runs fn once while recording every path the agent opens through node:fs openSync. */
async function recordOpens(fn) {
  const original = fs.openSync
  const opened = []
  fs.openSync = function (path, ...rest) {
    opened.push(String(path))
    return original.call(this, path, ...rest)
  }
  syncBuiltinESMExports()
  try {
    await fn()
  } finally {
    fs.openSync = original
    syncBuiltinESMExports()
  }
  return opened
}

/** Compares the agent's file list (bench/files.js takes it from the agent) with what it really opened. */
function checkFileList(version, agent, opened, tree) {
  const ours = FILES[version].map((f) => f.name)
  const notes = []
  const byName = new Map()
  for (const p of opened) {
    if (!p.startsWith(tree.hierarchyRoot)) continue
    const name = basename(p)
    byName.set(name, (byName.get(name) ?? 0) + 1)
  }
  const cgroups = tree.cgroupDirs.length
  if (byName.size === 0) {
    notes.push(
      agent.reader?.loaded
        ? 'the native reader opens files in C, out of sight of node:fs: MEMLENS_NATIVE=0 checks what the agent opens'
        : 'saw no file opens through node:fs openSync (reads in a worker thread, or another API?): the file list was not checked against what the agent reads',
    )
    return { openedPerCycle: NaN, openedOutsideTree: opened.length, notes }
  }
  for (const [name, n] of byName) {
    if (!ours.includes(name)) notes.push(`agent opened ${name} ${n}x per cycle; bench/files.js (so the C floor) does not read it`)
    else if (n !== cgroups) notes.push(`agent opened ${name} ${n}x per cycle for ${cgroups} cgroups`)
  }
  for (const name of ours) if (!byName.has(name)) notes.push(`C floor reads ${name}; the agent did not open it`)
  const inTree = [...byName.values()].reduce((a, b) => a + b, 0)
  return { openedPerCycle: inTree, openedOutsideTree: opened.length - inTree, notes }
}

async function measureCycle(version, tree, floorBin) {
  const agent = await importAgent()
  const hierarchy = agent.findHierarchy({ cgroupRoot: tree.cgroupRoot })
  if (hierarchy.version !== version || hierarchy.root !== tree.hierarchyRoot) {
    throw new Error(`findHierarchy found ${JSON.stringify(hierarchy)}, expected ${version} at ${tree.hierarchyRoot}`)
  }
  const scope = tree.scope ?? 'kubernetes'
  const parent = tree.parent ?? '/'
  const collector = new agent.Collector({ hierarchy, scope, parent, logger: agent.logger })

  let snap
  const opened = await recordOpens(async () => {
    snap = await collector.collect()
  })
  const files = checkFileList(version, agent, opened, tree)
  const found = { pods: snap.pods.length, containers: snap.containers.length }
  const expected = tree.expectedFound ?? { pods: tree.pods, containers: tree.containers }
  if (found.pods !== expected.pods || found.containers !== expected.containers) {
    files.notes.push(`snapshot has ${found.pods} pods / ${found.containers} containers; the tree has ${expected.pods} / ${expected.containers}`)
  }
  files.notes.push(...spotCheck(version, tree, snap))

  for (let i = 0; i < PLAN.cycleWarmup; i++) await collector.collect()
  const cycleMs = []
  const cycleCpuMs = []
  const floorRuns = []
  const roundRatios = []
  for (let round = 0; round < PLAN.rounds; round++) {
    const f = floorBin === undefined ? undefined : runFloor(floorBin, tree, version, PLAN.passesPerRound, PLAN.floorWarmup)
    if (f !== undefined) floorRuns.push(f)
    const roundMs = []
    for (let i = 0; i < PLAN.passesPerRound; i++) {
      const c0 = process.cpuUsage()
      const t0 = performance.now()
      snap = await collector.collect()
      const dt = performance.now() - t0
      const cpu = process.cpuUsage(c0)
      roundMs.push(dt)
      cycleMs.push(dt)
      cycleCpuMs.push((cpu.user + cpu.system) / 1000)
    }
    if (f !== undefined) roundRatios.push(median(roundMs) / (median(f.nsPerPass) / 1e6))
  }
  const floor = floorRuns.length === 0 ? undefined : mergeFloorRuns(floorRuns)

  // Diagnostics: how much of a cycle is the directory walk (the C floor is handed the list),
  // and what rendering the exposition text costs (the agent does it once per cycle).
  let discoverMs = NaN
  if (typeof agent.discover === 'function') {
    const t = []
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now()
      let n = 0
      for (const _ref of agent.discover(hierarchy, { scope, parent })) n++
      t.push(performance.now() - t0)
      if (n !== tree.cgroupDirs.length) files.notes.push(`discover() yielded ${n} refs, the tree has ${tree.cgroupDirs.length}`)
    }
    discoverMs = median(t)
  }
  // The agent's own path: one renderer kept across cycles (its label sets cached), its
  // output streamed family by family into gzip (zlib works on the thread pool).
  let renderMs = NaN
  if (typeof agent.SnapshotRenderer === 'function' && typeof agent.publish === 'function' && agent.noMetadata !== undefined) {
    const renderer = new agent.SnapshotRenderer()
    const t = []
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now()
      await agent.publish('', renderer.steps(snap, { disabled: new Set(), metadata: agent.noMetadata }))
      t.push(performance.now() - t0)
    }
    renderMs = median(t)
  }
  const nodeRead = nodeReadFloor(version, tree)
  const cycle = {
    reader: agent.reader.loaded ? 'native (one call per cgroup)' : `node:fs (${agent.reader.reason})`,
    cycleMs,
    cycleCpuMs,
    medianMs: median(cycleMs),
    cpuMedianMs: median(cycleCpuMs),
    discoverMs,
    renderMs,
    nodeReadMs: nodeRead.medianMs,
    nodeReadCpuMs: nodeRead.cpuMedianMs,
    found,
    files,
  }
  if (floor !== undefined) {
    cycle.ratio = cycle.medianMs / floor.medianMs
    cycle.cpuRatio = cycle.cpuMedianMs / floor.cpuMedianMs
    cycle.roundRatios = roundRatios
  }
  return { cycle, floor }
}

function mergeFloorRuns(runs) {
  const first = runs[0]
  const nsPerPass = runs.flatMap((r) => r.nsPerPass)
  const cpuNsPerPass = runs.flatMap((r) => r.cpuNsPerPass)
  return {
    cgroups: first.cgroups,
    files: first.files,
    fields: first.fields,
    runs: runs.length,
    passes: nsPerPass.length,
    nsPerPass,
    cpuNsPerPass,
    medianMs: median(nsPerPass) / 1e6,
    cpuMedianMs: median(cpuNsPerPass) / 1e6,
    openedPerPass: first.openedPerPass,
    missingPerPass: first.missingPerPass,
    bytesPerPass: first.bytesPerPass,
    absentFields: first.absentFields,
    checksum: first.checksum,
  }
}

/**
 * What Node itself pays for the syscalls alone: openSync/readSync-to-EOF/closeSync of the same
 * files into one reused buffer, no parsing, no model. Between this and the C floor is the cost
 * of crossing into libuv's sync fs; between this and the cycle is the agent's own JS.
 */
function nodeReadFloor(version, tree) {
  const names = FILES[version].map((f) => f.name)
  const buf = Buffer.allocUnsafe(64 * 1024)
  const pass = () => {
    let bytes = 0
    for (const dir of tree.cgroupDirs) {
      for (const name of names) {
        const fd = fs.openSync(`${dir}/${name}`, 'r')
        try {
          for (;;) {
            const n = fs.readSync(fd, buf, 0, buf.length, null)
            if (n === 0) break
            bytes += n
          }
        } finally {
          fs.closeSync(fd)
        }
      }
    }
    return bytes
  }
  pass()
  const t = []
  const cpuT = []
  for (let i = 0; i < PLAN.rounds * PLAN.passesPerRound; i++) {
    const c0 = process.cpuUsage()
    const t0 = performance.now()
    pass()
    t.push(performance.now() - t0)
    const cpu = process.cpuUsage(c0)
    cpuT.push((cpu.user + cpu.system) / 1000)
  }
  return { medianMs: median(t), cpuMedianMs: median(cpuT) }
}

/** A few cgroups: the agent's usage must equal the number in the file. */
function spotCheck(version, tree, snap) {
  const notes = []
  const file = version === 'v1' ? 'memory.usage_in_bytes' : 'memory.current'
  const byId = new Map([...snap.pods, ...snap.containers].map((s) => [s.ref.id, s]))
  for (const dir of [tree.cgroupDirs[0], tree.cgroupDirs[1], tree.cgroupDirs.at(-1), ...(tree.writerDirs ?? [])]) {
    if (dir === undefined) continue
    const id = dir.slice(tree.hierarchyRoot.length)
    const want = Number(fs.readFileSync(join(dir, file), 'latin1').trim())
    const got = byId.get(id)?.reading.memory.usageBytes
    if (got !== want) notes.push(`spot check ${id}: agent usageBytes ${got}, ${file} says ${want}`)
  }
  return notes
}

// ---------------------------------------------------------------------------------------------
// (c) The agent as a process

const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 1 })

// Like Prometheus, ask for gzip; the latency is what a scraper waits for the response, and
// the body is decompressed afterwards for the size and series counts.
function get(url, { fresh = false } = {}) {
  return new Promise((resolvePromise, reject) => {
    const t0 = performance.now()
    const req = http.get(url, { agent: fresh ? false : keepAlive, headers: { 'accept-encoding': 'gzip' } }, (res) => {
      const chunks = []
      res.on('data', (c) => chunks.push(c))
      res.on('end', () => {
        const ms = performance.now() - t0
        const raw = Buffer.concat(chunks)
        const body = res.headers['content-encoding'] === 'gzip' ? zlib.gunzipSync(raw) : raw
        resolvePromise({ status: res.statusCode, body, wireBytes: raw.length, ms })
      })
      res.on('error', reject)
    })
    req.setTimeout(30_000, () => req.destroy(new Error(`GET ${url} timed out`)))
    req.on('error', reject)
  })
}

/** Agent processes alive now, so that a signal can stop them before the tree is removed. */
const liveAgents = new Set()

async function startAgent(tree, interval) {
  const args = [MAIN, 'serve', '--cgroup-root', tree.cgroupRoot, '--scope', tree.scope ?? 'kubernetes', '--listen', '127.0.0.1:0']
  if (tree.parent !== undefined) args.push('--cgroup-parent', tree.parent)
  if (interval !== undefined) args.push('--interval', interval)
  const t0 = performance.now()
  const child = spawn(process.execPath, [...NODE_FLAGS, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  liveAgents.add(child)
  let output = ''
  const exited = new Promise((r) => child.once('exit', (code, signal) => r({ code, signal })))
  void exited.then(() => liveAgents.delete(child))
  const url = await new Promise((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`no listening URL within 30 s; output:\n${output.slice(-2000)}`)), 30_000)
    const onData = (d) => {
      output += d.toString()
      // The banner on stdout ("metrics:  http://127.0.0.1:PORT/metrics") or the JSON log's "url".
      const m = /http:\/\/(127\.0\.0\.1|\[::1\]|localhost):(\d+)/.exec(output)
      if (m !== null && Number(m[2]) > 0) {
        clearTimeout(timer)
        resolveUrl(`http://${m[1]}:${m[2]}`)
      }
    }
    child.stdout.on('data', onData)
    child.stderr.on('data', onData)
    void exited.then(({ code, signal }) => {
      clearTimeout(timer)
      reject(new Error(`agent exited (${code ?? signal}) before listening:\n${output.slice(-2000)}`))
    })
  })
  // Keep draining its output so a chatty log never blocks it on a full pipe.
  child.stdout.on('data', (d) => (output = (output + d.toString()).slice(-20_000)))
  child.stderr.on('data', (d) => (output = (output + d.toString()).slice(-20_000)))
  const deadline = performance.now() + 60_000
  for (;;) {
    const r = await get(`${url}/readyz`, { fresh: true }).catch(() => undefined)
    if (r?.status === 200) break
    if (performance.now() > deadline) throw new Error(`/readyz not 200 within 60 s; output:\n${output.slice(-2000)}`)
    await sleep(20)
  }
  const readyMs = performance.now() - t0
  return {
    child,
    url,
    readyMs,
    output: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
      const timeout = sleep(5000).then(() => 'timeout')
      if ((await Promise.race([exited, timeout])) === 'timeout') {
        child.kill('SIGKILL')
        await exited
      }
    },
  }
}

/** Collection counters from the agent's own metrics, to see how busy the collector was. */
function cycleCounters(body) {
  const text = body.toString('latin1')
  const num = (re) => {
    const m = re.exec(text)
    return m === null ? NaN : Number(m[1])
  }
  return {
    count: num(/^memlens_collect_duration_seconds_count(?:\{[^}]*\})? (\S+)/m),
    sumSeconds: num(/^memlens_collect_duration_seconds_sum(?:\{[^}]*\})? (\S+)/m),
  }
}

async function scrapeMetrics(url, n, budgetMs) {
  for (let i = 0; i < 3; i++) await get(`${url}/metrics`)
  const lat = []
  let last
  const stopAt = performance.now() + budgetMs
  for (let i = 0; i < n && (i < 10 || performance.now() < stopAt); i++) {
    last = await get(`${url}/metrics`)
    if (last.status !== 200) throw new Error(`/metrics answered ${last.status}`)
    lat.push(last.ms)
  }
  const text = last.body.toString('latin1')
  let series = 0
  for (const line of text.split('\n')) if (line !== '' && line[0] !== '#') series++
  return { latMs: lat, requests: lat.length, medianMs: median(lat), p99Ms: quantile(lat, 0.99), bytes: last.body.length, series, body: last.body }
}

async function probeHealthz(url, n, spacingMs) {
  const lat = []
  let bad = 0
  const start = performance.now()
  for (let i = 0; i < n; i++) {
    const due = start + i * spacingMs
    const wait = due - performance.now()
    if (wait > 0) await sleep(wait)
    // A fresh connection per probe, as the kubelet does.
    const r = await get(`${url}/healthz`, { fresh: true })
    if (r.status !== 200) bad++
    lat.push(r.ms)
  }
  return { latMs: lat, windowMs: performance.now() - start, bad }
}

async function measureProcess(tree) {
  const out = {}
  // Run A: the default interval, as deployed. /metrics latency and memory.
  const a = await startAgent(tree, undefined)
  try {
    out.readyMs = a.readyMs
    const m = await scrapeMetrics(a.url, PLAN.metricsRequests, PLAN.metricsBudgetMs)
    out.metrics = { medianMs: m.medianMs, p99Ms: m.p99Ms, requests: m.requests, bytes: m.bytes, series: m.series, latMs: m.latMs }
    out.rssDefault = procStatus(a.child.pid)
  } finally {
    await a.stop()
  }

  // Run B: back-to-back collection. /healthz latency, /metrics under load, peak memory.
  const b = await startAgent(tree, PLAN.continuousInterval)
  try {
    const before = cycleCounters((await get(`${b.url}/metrics`)).body)
    const h = await probeHealthz(b.url, PLAN.healthzRequests, PLAN.healthzSpacingMs)
    const after = cycleCounters((await get(`${b.url}/metrics`)).body)
    const cycles = after.count - before.count
    const busy = (after.sumSeconds - before.sumSeconds) * 1000
    out.healthz = {
      p50Ms: median(h.latMs),
      p99Ms: quantile(h.latMs, 0.99),
      maxMs: Math.max(...h.latMs),
      requests: h.latMs.length,
      non200: h.bad,
      windowMs: h.windowMs,
      cyclesInWindow: cycles,
      meanCycleMs: busy / cycles,
      collectorBusyShare: busy / h.windowMs,
    }
    const m = await scrapeMetrics(b.url, PLAN.metricsRequests, PLAN.metricsBudgetMs / 2)
    out.metricsUnderLoad = { medianMs: m.medianMs, p99Ms: m.p99Ms, requests: m.requests }
    out.rssContinuous = procStatus(b.child.pid)
  } finally {
    await b.stop()
  }
  out.peakRssBytes = Math.max(out.rssDefault.vmHwmBytes, out.rssContinuous.vmHwmBytes)
  return out
}

// ---------------------------------------------------------------------------------------------
// Driver

async function step(errors, version, name, fn) {
  const t0 = performance.now()
  try {
    const r = await fn()
    log(`${version} ${name}: ${((performance.now() - t0) / 1000).toFixed(1)} s`)
    return r
  } catch (er) {
    const msg = er instanceof Error ? er.message : String(er)
    errors.push(`${version} ${name}: ${msg}`)
    log(`${version} ${name} FAILED: ${msg}`)
    return undefined
  }
}

async function benchVersion(col, floorBin) {
  const errors = []
  const { key, version } = col
  const tree = col.real
    ? await makeRealTree(errors, key)
    : await step(errors, key, 'generate tree', () =>
        generateTree({ version, pods: PLAN.pods, containersPerPod: PLAN.containersPerPod, ...(opts.tmpdir ? { tmp: resolve(opts.tmpdir) } : {}) }),
      )
  if (tree === undefined) return { errors }
  let r
  try {
    r = { tree: { root: tree.cgroupRoot, fs: fsTypeOf(tree.base), pods: tree.pods, containers: tree.containers, cgroups: tree.cgroupDirs.length } }
    if (col.real) {
      r.tree.base = tree.base
      r.tree.parent = tree.parent
      r.tree.writers = { cgroups: tree.writerDirs.map((d) => d.slice(tree.hierarchyRoot.length)), bytes: tree.writerBytes }
      const d = await step(errors, key, 'check discovery', () => checkRealDiscovery(tree))
      if (d === undefined) return { ...r, errors }
      r.tree.discovery = d
      r.tree.scope = tree.scope
      r.tree.cgroups = tree.cgroupDirs.length
    }
    const c = await step(errors, key, 'collection cycle vs C floor', () => measureCycle(version, tree, floorBin))
    r.cycle = c?.cycle
    r.floor = c?.floor
    if (r.floor === undefined && floorBin !== undefined) {
      // The agent side failed: still record the floor, for the next run to compare with.
      const f = await step(errors, key, 'C floor alone', () => runFloor(floorBin, tree, version, PLAN.passesPerRound * PLAN.rounds, PLAN.floorWarmup))
      if (f !== undefined) r.floor = mergeFloorRuns([f])
    }
    if (fs.existsSync(MAIN)) r.process = await step(errors, key, 'agent process', () => measureProcess(tree))
    else errors.push(`${key} agent process: ${MAIN} does not exist (npm run build)`)
    r.errors = errors
    return r
  } finally {
    if (col.real) {
      const rm = cleanupReal()
      if (r !== undefined && rm !== undefined) r.tree.cleanup = { ...rm, timings: tree.timings }
    } else if (!opts.keep) fs.rmSync(tree.base, { recursive: true, force: true })
    else log(`${key} tree kept at ${tree.base}`)
  }
}

// ---------------------------------------------------------------------------------------------
// The real cgroup v1 tree (--real): made below our own memory cgroup, always removed

/** The real tree while it exists, for the signal handlers and the exit hook. */
let activeRealTree

async function makeRealTree(errors, key) {
  const why = realUnavailable()
  if (why !== undefined) {
    errors.push(`${key} real cgroup tree: ${why}`)
    return undefined
  }
  if (opts.keep) log(`${key}: --keep does not apply to --real; the cgroups are always removed`)
  for (const pid of staleRuns()) {
    const rm = removeStale(pid)
    log(
      `${key}: removed what run ${pid} (killed) left: ${rm.removed} cgroups at ${rm.base ?? 'n/a'}, its scratch files` +
        `${rm.agentsKilled?.length ? ` and its orphaned agent (pid ${rm.agentsKilled.join(', ')})` : ''}` +
        (rm.failed.length > 0 ? `; could not remove ${rm.failed.join(', ')}` : ''),
    )
  }
  const tree = planRealTree({ pods: PLAN.pods, containersPerPod: PLAN.containersPerPod })
  activeRealTree = tree
  const built = await step(errors, key, 'make real cgroups', () => buildRealTree(tree))
  if (built === undefined) {
    cleanupReal()
    return undefined
  }
  const t = tree.timings
  log(
    `${key}: ${tree.created.length} memory cgroups under ${tree.parent}: mkdir ${ms(t.mkdirMs)}, ` +
      `limits ${ms(t.limitsMs)}, ${tree.writerDirs.length} dd writers ${ms(t.writersMs)}`,
  )
  return tree
}

/** Stops agents still running, then removes the real tree; synchronous, idempotent. */
function cleanupReal() {
  const tree = activeRealTree
  if (tree === undefined) return undefined
  // The agents live in our own cgroup, not in the tree, but must not outlive the bench.
  for (const child of liveAgents) child.kill('SIGKILL')
  const rm = removeRealTree(tree)
  activeRealTree = undefined
  log(
    `real tree removed: ${rm.removed} cgroups rmdir'ed in ${ms(rm.ms)}, ${rm.retries} EBUSY retries` +
      (rm.failed.length > 0 ? `; NOT REMOVED: ${rm.failed.join(', ')}` : ''),
  )
  return rm
}

if (opts.real) {
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.once(sig, () => {
      log(`${sig}: stopping the agents and removing the real cgroup tree`)
      cleanupReal()
      process.exit(128 + (os.constants.signals[sig] ?? 1))
    })
  }
  // The last resort: an uncaught error or process.exit() elsewhere.
  process.on('exit', () => cleanupReal())
}

/**
 * The agent must discover exactly the planned pods and containers under --cgroup-parent with
 * the kubernetes scope. Should it not (the kubepods root below a prefix it does not accept),
 * the bench falls back to scope 'all' over every directory below the parent, the parent
 * included, and hands the C floor that same list.
 */
async function checkRealDiscovery(tree) {
  const agent = await importAgent()
  const hierarchy = agent.findHierarchy({ cgroupRoot: tree.cgroupRoot })
  if (hierarchy.version !== 'v1' || hierarchy.root !== tree.hierarchyRoot) {
    throw new Error(`findHierarchy found ${JSON.stringify(hierarchy)}, expected v1 at ${tree.hierarchyRoot}`)
  }
  const id = (dir) => dir.slice(tree.hierarchyRoot.length)
  const want = new Map()
  for (const p of tree.expected) {
    want.set(id(p.podDir), { kind: 'pod', podUid: p.podUid, qos: p.qos })
    for (const c of p.containerIds) want.set(id(join(p.podDir, c)), { kind: 'container', podUid: p.podUid, qos: p.qos, containerId: c })
  }
  const collect = (scope) => new agent.Collector({ hierarchy, scope, parent: tree.parent, logger: agent.logger }).collect()
  const snap = await collect('kubernetes')
  const problems = []
  const seen = new Set()
  for (const s of [...snap.pods, ...snap.containers]) {
    const w = want.get(s.ref.id)
    if (w === undefined) {
      problems.push(`unexpected ${s.ref.kind} ${s.ref.id}`)
      continue
    }
    seen.add(s.ref.id)
    for (const [k, v] of Object.entries(w)) if (s.ref[k] !== v) problems.push(`${s.ref.id}: ${k} is ${s.ref[k]}, expected ${v}`)
  }
  for (const k of want.keys()) if (!seen.has(k)) problems.push(`not discovered: ${k}`)
  const kubernetes = { pods: snap.pods.length, containers: snap.containers.length, problems: problems.length, firstProblems: problems.slice(0, 5) }
  if (problems.length === 0) return { scope: 'kubernetes', exact: true, kubernetes }

  // Fallback: every cgroup directory below the parent, for the agent and the C floor alike.
  tree.scope = 'all'
  tree.cgroupDirs = allDirsUnder(tree.base)
  tree.expectedFound = { pods: 0, containers: tree.cgroupDirs.length }
  fs.writeFileSync(tree.listFile, tree.cgroupDirs.join('\n') + '\n')
  const all = await collect('all')
  const got = new Set([...all.pods, ...all.containers].map((s) => s.ref.id))
  const exact = got.size === tree.cgroupDirs.length && tree.cgroupDirs.every((d) => got.has(id(d)))
  log(`kubernetes scope under ${tree.parent} did not find the tree (${problems.length} problems, e.g. ${problems[0]}); falling back to scope 'all'`)
  return { scope: 'all', exact, kubernetes, all: { cgroups: got.size, expected: tree.cgroupDirs.length } }
}

/** The cgroups below our own memory cgroup now (after cleanup: should be none of ours). */
function ownCgroupChildren() {
  const own = ownMemoryCgroup()
  if (own === undefined) return { own: undefined, children: [] }
  try {
    const dir = V1_MEMORY_ROOT + own
    return { own, children: fs.readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name) }
  } catch {
    return { own, children: [] }
  }
}

function verdict(value, limit) {
  if (!Number.isFinite(value)) return 'not measured'
  return value <= limit ? 'meets target' : 'MISSES target'
}

function report(results) {
  const cols = COLUMNS.map((c) => c.key)
  const rows = []
  const row = (label, cells, target = '') => rows.push([label, ...cells, target])
  const per = (fn) => cols.map((v) => {
    try {
      return fn(results.versions[v]) ?? 'n/a'
    } catch {
      return 'n/a'
    }
  })
  row('(1) collection cycle, median', per((r) => ms(r.cycle.medianMs)))
  row('    C floor, same files, median', per((r) => ms(r.floor.medianMs)))
  row('    ratio agent / C', per((r) => `${r.cycle.ratio.toFixed(2)}x ${verdict(r.cycle.ratio, TARGETS.cycleRatio)}`), `<= ${TARGETS.cycleRatio}x`)
  row('    ratio by CPU time; per round', per((r) => `${r.cycle.cpuRatio.toFixed(2)}x; ${Math.min(...r.cycle.roundRatios).toFixed(2)}-${Math.max(...r.cycle.roundRatios).toFixed(2)}x`))
  row('(2) /metrics median (p99)', per((r) => `${ms(r.process.metrics.medianMs)} (${ms(r.process.metrics.p99Ms)}) ${verdict(r.process.metrics.medianMs, TARGETS.metricsMedianMs)}`), `<= ${TARGETS.metricsMedianMs} ms median`)
  row('(3) RSS peak VmHWM', per((r) => `${mb(r.process.peakRssBytes)} ${verdict(r.process.peakRssBytes, TARGETS.rssBytes)}`), `<= ${TARGETS.rssBytes / 1e6} MB`)
  row('(4) /healthz p99, collecting', per((r) => `${ms(r.process.healthz.p99Ms)} ${verdict(r.process.healthz.p99Ms, TARGETS.healthzP99Ms)}`), `<= ${TARGETS.healthzP99Ms} ms p99`)
  row('', cols.map(() => ''))
  row('diagnostics', cols.map(() => ''))
  row('  cgroups read per cycle', per((r) => `${r.cycle.found.pods + r.cycle.found.containers}`))
  row('  cgroup file reader', per((r) => r.cycle.reader ?? '?'))
  row('  files opened: agent / C', per((r) => `${r.cycle.files.openedPerCycle} / ${r.floor.openedPerPass}`))
  row('  Node open/read/close only, no parse', per((r) => `${ms(r.cycle.nodeReadMs)} (${(r.cycle.nodeReadMs / r.floor.medianMs).toFixed(2)}x C, CPU ${(r.cycle.nodeReadCpuMs / r.floor.cpuMedianMs).toFixed(2)}x)`))
  row('  directory walk (discover) alone', per((r) => ms(r.cycle.discoverMs)))
  row('  per cgroup: agent / C', per((r) => {
    const n = r.tree.cgroups
    return `${((r.cycle.medianMs * 1000) / n).toFixed(1)} / ${((r.floor.medianMs * 1000) / n).toFixed(1)} us`
  }))
  row('  render + gzip (once per cycle)', per((r) => ms(r.cycle.renderMs)))
  row('  /metrics size, series, requests', per((r) => `${(r.process.metrics.bytes / 1e6).toFixed(2)} MB, ${r.process.metrics.series}, n=${r.process.metrics.requests}`))
  row('  /metrics median while collecting', per((r) => `${ms(r.process.metricsUnderLoad.medianMs)} (p99 ${ms(r.process.metricsUnderLoad.p99Ms)})`))
  row('  /healthz p50 / max', per((r) => `${ms(r.process.healthz.p50Ms)} / ${ms(r.process.healthz.maxMs)}`))
  row('  collector busy during probes', per((r) => `${(r.process.healthz.collectorBusyShare * 100).toFixed(0)}% (${r.process.healthz.cyclesInWindow} cycles, ${ms(r.process.healthz.meanCycleMs)} each)`))
  row('  VmRSS default / continuous', per((r) => `${mb(r.process.rssDefault.vmRssBytes)} / ${mb(r.process.rssContinuous.vmRssBytes)}`))
  row('  start to /readyz 200', per((r) => ms(r.process.readyMs)))
  if (COLUMNS.some((c) => c.real)) {
    row('  agent scope; discovery exact', per((r) => `${r.tree.scope}; ${r.tree.discovery.exact ? 'yes' : 'NO'}`))
    row('  mkdir / rmdir of the memcgs', per((r) => `${ms(r.tree.cleanup.timings.mkdirMs)} / ${ms(r.tree.cleanup.ms)} (${r.tree.cleanup.removed})`))
  }

  const header = ['figure', ...COLUMNS.map((c) => c.label), 'target (issue 2)']
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)))
  const line = (cells) => cells.map((c, i) => String(c).padEnd(widths[i] ?? 0)).join('  ').trimEnd()
  const lines = [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)]
  return lines.join('\n')
}

function loadAverage() {
  try {
    return Number(fs.readFileSync('/proc/loadavg', 'utf8').split(' ')[0])
  } catch {
    return NaN
  }
}

async function main() {
  const started = performance.now()
  const loadBefore = loadAverage()
  if (!fs.existsSync(join(DIST, 'collector.js'))) {
    console.error(`bench: ${DIST}/collector.js does not exist; run "npm run bench" (it builds first) or "npm run build"`)
    process.exit(1)
  }
  fs.mkdirSync(OUT, { recursive: true })
  const errors = []
  let floorBin
  try {
    floorBin = buildFloor()
  } catch (er) {
    errors.push(`C floor: ${er instanceof Error ? er.message : String(er)}`)
  }
  const cgroups = PLAN.pods * (PLAN.containersPerPod + 1)
  log(`${PLAN.pods} pods x ${PLAN.containersPerPod} containers = ${cgroups} cgroups per tree; ${opts.real ? COLUMNS.map((c) => c.label).join(', ') || 'no tree' : `versions ${VERSIONS.join(', ')}`}`)
  for (const s of SKIPPED) log(s)
  if (COLUMNS.length === 0) {
    console.error('bench: nothing to measure (--real covers cgroup v1 only; add v1 to --versions)')
    process.exit(1)
  }

  const results = {
    date: new Date().toISOString(),
    node: process.version,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model,
    kernel: os.release(),
    quick: opts.quick,
    plan: PLAN,
    targets: { ...TARGETS, note: 'goals from issue 2; reported, not asserted' },
    caveat: '',
    versions: {},
  }
  if (opts.real) results.skipped = SKIPPED
  for (const col of COLUMNS) {
    const r = await benchVersion(col, floorBin)
    results.versions[col.key] = r
    errors.push(...(r.errors ?? []))
  }
  if (opts.real) {
    const t = results.versions['v1-real']?.tree
    const w = t?.writers
    const written =
      w === undefined || w.cgroups.length === 0
        ? 'no cgroup holds any page cache of ours'
        : `only ${w.cgroups.length} containers hold ${(w.bytes / w.cgroups.length / 1048576).toFixed(1)} MiB each of page cache, written by dd`
    results.caveat = REAL_CAVEAT.replace('%KERNEL%', os.release())
      .replace('%WRITTEN%', written)
      .replace('%PARENT%', t?.parent ?? 'n/a')
  } else {
    const fsTypes = [...new Set(Object.values(results.versions).map((r) => r.tree?.fs).filter(Boolean))]
    results.caveat = CAVEAT.replace('%FS%', fsTypes.length > 0 ? fsTypes.join('/') : 'a plain filesystem')
  }
  results.errors = errors
  results.loadAverage = { before: loadBefore, after: loadAverage() }
  results.totalSeconds = round((performance.now() - started) / 1000, 1)

  const notes = COLUMNS.flatMap(({ key }) => (results.versions[key]?.cycle?.files.notes ?? []).map((n) => `${key}: ${n}`))
  console.log('')
  if (opts.real) {
    const t = results.versions['v1-real']?.tree
    const layout =
      t?.scope === 'all'
        ? `every one of the ${t.cgroups} cgroups below the parent, scope 'all' (FALLBACK: kubernetes scope did not find the tree)`
        : 'pods + containers, kubelet cgroupfs layout, kubernetes scope'
    console.log(`memlens bench: ${PLAN.pods} pods x ${PLAN.containersPerPod} containers (${cgroups} cgroups: ${layout})`)
    console.log(`REAL cgroup v1 memory cgroups under ${t?.parent ?? 'n/a'} (--cgroup-root ${CGROUP_ROOT_REAL} --cgroup-parent <that>)`)
  } else {
    console.log(`memlens bench: ${PLAN.pods} pods x ${PLAN.containersPerPod} containers (${cgroups} cgroups: pods + containers, systemd/containerd layout)`)
  }
  console.log(`node ${process.version}, ${results.cpus} x ${results.cpuModel}, kernel ${results.kernel}${opts.quick ? ', QUICK run (small tree: figures are not the issue-2 ones)' : ''}`)
  console.log('')
  console.log(report(results))
  console.log('')
  console.log('How measured: (1) median of in-process Collector.collect() (discovery + reads + parsing + snapshot;')
  console.log(`  rendering is separate) vs median of bench/floor.c passes over the same cgroup list and files`)
  console.log(`  (bench/files.js; the C side does not walk directories), alternating in ${PLAN.rounds} rounds of ${PLAN.passesPerRound};`)
  console.log('  (2) sequential keep-alive GETs against `serve` at its default interval (p99 of few samples ~ max);')
  console.log(`  (3) max VmHWM of both agent runs; (4) ${PLAN.healthzRequests} GETs ${PLAN.healthzSpacingMs} ms apart, a fresh connection each,`)
  console.log(`  against \`serve --interval ${PLAN.continuousInterval}\` (the collector runs back to back).`)
  console.log(`Targets are the goals of issue 2, reported here; they are not test assertions.`)
  console.log(`CAVEAT: ${results.caveat}`)
  for (const s of SKIPPED) console.log(`NOTE: ${s}`)
  if (opts.real) {
    const t = results.versions['v1-real']?.tree
    const d = t?.discovery
    if (d !== undefined) {
      console.log(
        d.scope === 'kubernetes'
          ? `Discovery: the agent's kubernetes scope under --cgroup-parent found exactly the ${d.kubernetes.pods} pods and ${d.kubernetes.containers} containers made (uids, QoS, container ids checked).`
          : `Discovery: kubernetes scope under --cgroup-parent did NOT find the tree (${d.kubernetes.problems} problems, e.g. ${d.kubernetes.firstProblems[0]}); ` +
              `measured with scope 'all' over every directory below the parent, the parent included (${d.all.cgroups} found, ${d.all.expected} expected; exact: ${d.exact}), ` +
              'and the C floor was given that same directory list.',
      )
    }
    const c = t?.cleanup
    if (c !== undefined) {
      const tm = c.timings
      console.log(
        `Real tree: mkdir of ${c.removed} memory cgroups ${ms(tm.mkdirMs)}, memory.limit_in_bytes writes ${ms(tm.limitsMs)}, ` +
          `dd writers ${ms(tm.writersMs)}; rmdir of all of them ${ms(c.ms)} (${c.retries} EBUSY retries)` +
          (c.failed.length > 0 ? `; NOT REMOVED: ${c.failed.join(', ')}` : ''),
      )
    }
    const left = ownCgroupChildren()
    const ours = left.children.filter((n) => n.startsWith('memlens-bench-'))
    console.log(
      `Below our memory cgroup ${left.own} now: ${left.children.length === 0 ? 'no cgroups' : left.children.join(', ')}` +
        (ours.length > 0 ? ' (LEFT BEHIND by the bench!)' : ''),
    )
    if (ours.length > 0) errors.push(`real tree: left behind below ${left.own}: ${ours.join(', ')}`)
  }
  const busy = Math.max(results.loadAverage.before, results.loadAverage.after)
  if (busy > results.cpus * 0.75) {
    console.log(
      `WARNING: 1-minute load average ${results.loadAverage.before} before, ${results.loadAverage.after} after, on ${results.cpus} cores: ` +
        'other processes competed for the CPUs, so absolute times are inflated and noisy; the per-round and CPU-time ratios show the spread.',
    )
  }
  if (notes.length > 0) {
    console.log('')
    console.log('File-list / correctness checks (the comparison is only fair when these are empty):')
    for (const n of notes) console.log(`  - ${n}`)
  }
  if (errors.length > 0) {
    console.log('')
    console.log('Not measured:')
    for (const e of errors) {
      const lines = e.split('\n')
      const cause = lines.slice(1).find((l) => /error|Error|ERR_/.test(l))
      console.log(`  - ${lines[0]}${cause === undefined ? '' : ` ${cause.trim()}`}`)
    }
  }

  // Raw samples stay in results.json; the response body does not.
  const json = JSON.stringify(results, (k, v) => (k === 'body' ? undefined : typeof v === 'number' ? round(v, 4) : v), 2)
  const resultsFile = join(OUT, opts.real ? 'results-real.json' : 'results.json')
  fs.writeFileSync(resultsFile, json + '\n')
  console.log('')
  console.log(`Results: ${resultsFile} (${results.totalSeconds} s)`)
  keepAlive.destroy()
  process.exitCode = errors.length > 0 ? 1 : 0
}

await main()
