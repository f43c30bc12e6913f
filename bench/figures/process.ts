// Figures (2)-(4): `memlens serve` as a process. Run A at the default interval, as deployed:
// /metrics latency and memory. Run B collecting back to back: /healthz latency, /metrics under
// load, peak memory. The agent runs with the V8 flags `npm start` and the image give it.
import { setTimeout as sleep } from 'node:timers/promises'
import { npmStartFlags, startAgent, type AgentOptions } from '../agent-process.js'
import { get } from '../http.js'
import { cycleCounters, seriesCount } from '../metrics-text.js'
import { procMemory, type ProcMemory } from '../proc.js'
import { max, median, quantile } from '../stats.js'
import type { BenchTree } from '../tree/types.js'
import type { FiguresPlan } from './plan.js'

export interface ProcessFigures {
  readonly readyMs: number
  readonly metrics: {
    readonly medianMs: number
    readonly p99Ms: number
    readonly requests: number
    readonly bytes: number
    readonly series: number
    readonly latMs: readonly number[]
  }
  readonly rssDefault: ProcMemory
  readonly healthz: {
    readonly p50Ms: number
    readonly p99Ms: number
    readonly maxMs: number
    readonly requests: number
    readonly non200: number
    readonly windowMs: number
    readonly cyclesInWindow: number
    readonly meanCycleMs: number
    readonly collectorBusyShare: number
  }
  readonly metricsUnderLoad: { readonly medianMs: number; readonly p99Ms: number; readonly requests: number }
  readonly rssContinuous: ProcMemory
  readonly peakRssBytes: number
  readonly nodeFlags: readonly string[]
}

async function scrapeMetrics(url: string, n: number, budgetMs: number) {
  for (let i = 0; i < 3; i++) await get(`${url}/metrics`)
  const lat: number[] = []
  let body: Buffer = Buffer.alloc(0)
  const stopAt = performance.now() + budgetMs
  for (let i = 0; i < n && (i < 10 || performance.now() < stopAt); i++) {
    const r = await get(`${url}/metrics`)
    if (r.status !== 200) throw new Error(`/metrics answered ${r.status}`)
    lat.push(r.ms)
    body = r.body
  }
  return {
    latMs: lat,
    requests: lat.length,
    medianMs: median(lat),
    p99Ms: quantile(lat, 0.99),
    bytes: body.length,
    series: seriesCount(body.toString('latin1')),
  }
}

async function probeHealthz(url: string, n: number, spacingMs: number) {
  const lat: number[] = []
  let bad = 0
  const start = performance.now()
  for (let i = 0; i < n; i++) {
    const wait = start + i * spacingMs - performance.now()
    if (wait > 0) await sleep(wait)
    // A fresh connection per probe, as the kubelet does.
    const r = await get(`${url}/healthz`, { fresh: true })
    if (r.status !== 200) bad++
    lat.push(r.ms)
  }
  return { latMs: lat, windowMs: performance.now() - start, bad }
}

const countersOf = async (url: string) => cycleCounters((await get(`${url}/metrics`)).body.toString('latin1'))

export async function measureProcess(tree: BenchTree, plan: FiguresPlan): Promise<ProcessFigures> {
  const nodeFlags = npmStartFlags()
  const agentOpts: AgentOptions = { cgroupRoot: tree.cgroupRoot, scope: tree.scope, parent: tree.parent, nodeFlags }

  const a = await startAgent(agentOpts)
  let run: Pick<ProcessFigures, 'readyMs' | 'metrics' | 'rssDefault'>
  try {
    const m = await scrapeMetrics(a.url, plan.metricsRequests, plan.metricsBudgetMs)
    run = { readyMs: a.readyMs, metrics: m, rssDefault: procMemory(a.pid) }
  } finally {
    await a.stop()
  }

  const b = await startAgent({ ...agentOpts, interval: plan.continuousInterval })
  try {
    const before = await countersOf(b.url)
    const h = await probeHealthz(b.url, plan.healthzRequests, plan.healthzSpacingMs)
    const after = await countersOf(b.url)
    const cycles = after.count - before.count
    const busyMs = (after.sumSeconds - before.sumSeconds) * 1000
    const m = await scrapeMetrics(b.url, plan.metricsRequests, plan.metricsBudgetMs / 2)
    const rssContinuous = procMemory(b.pid)
    return {
      ...run,
      healthz: {
        p50Ms: median(h.latMs),
        p99Ms: quantile(h.latMs, 0.99),
        maxMs: max(h.latMs),
        requests: h.latMs.length,
        non200: h.bad,
        windowMs: h.windowMs,
        cyclesInWindow: cycles,
        meanCycleMs: busyMs / cycles,
        collectorBusyShare: busyMs / h.windowMs,
      },
      metricsUnderLoad: { medianMs: m.medianMs, p99Ms: m.p99Ms, requests: m.requests },
      rssContinuous,
      peakRssBytes: Math.max(run.rssDefault.vmHwmBytes, rssContinuous.vmHwmBytes),
      nodeFlags,
    }
  } finally {
    await b.stop()
  }
}
