// The standing cost of the `memlens` command as it ships: `node dist/agent/main.js serve`,
// no V8 flags, one collection per --interval, nobody scraping. Its CPU comes from
// /proc/PID/stat and its peak memory from VmHWM, so everything the process does counts:
// collection, rendering, timers, runtime metrics, the Kubernetes watch.
//
// The window is bracketed by two scrapes that read the collection counter; the CPU is read
// after the first response and before the second request, so neither scrape is in it.
import { setTimeout as sleep } from 'node:timers/promises'
import { startAgent, type AgentOptions } from '../agent-process.js'
import { get } from '../http.js'
import { cycleCounters, namedPods } from '../metrics-text.js'
import { procCpuMs, procMemory } from '../proc.js'
import { ratio } from '../stats.js'

export interface ServeCost {
  readonly readyMs: number
  readonly windowMs: number
  readonly collections: number
  readonly cpuMs: number
  /** CPU of the whole process over the window, per collection in it. */
  readonly cpuPerCollectionMs: number
  /** The same as a share of one core. */
  readonly coreShare: number
  readonly peakRssBytes: number
  readonly rssBytes: number
  /** Pods with names in /metrics (0 without Kubernetes). */
  readonly namedPods: number
  /** Log lines at warn or above while it ran. */
  readonly warnings: number
}

export interface ServeCostOptions {
  readonly agent: AgentOptions
  readonly windowMs: number
  readonly warmupMs: number
  /** With Kubernetes: wait until this many pods have names before measuring. */
  readonly expectNamed?: number
}

const scrape = async (url: string): Promise<string> => {
  const r = await get(`${url}/metrics`)
  if (r.status !== 200) throw new Error(`/metrics answered ${r.status}`)
  return r.body.toString('latin1')
}

export async function serveCost(o: ServeCostOptions): Promise<ServeCost> {
  const agent = await startAgent(o.agent)
  try {
    let named = 0
    if (o.expectNamed !== undefined) {
      const deadline = performance.now() + 30_000
      while ((named = namedPods(await scrape(agent.url))) < o.expectNamed) {
        if (performance.now() > deadline) throw new Error(`only ${named} of ${o.expectNamed} pods got names from the API within 30 s`)
        await sleep(250)
      }
    }
    await sleep(o.warmupMs)
    const before = cycleCounters(await scrape(agent.url))
    const cpu0 = procCpuMs(agent.pid)
    const t0 = performance.now()
    await sleep(o.windowMs)
    const cpuMs = procCpuMs(agent.pid) - cpu0
    const windowMs = performance.now() - t0
    const text = await scrape(agent.url)
    const after = cycleCounters(text)
    const memory = procMemory(agent.pid)
    const collections = after.count - before.count
    return {
      readyMs: agent.readyMs,
      windowMs,
      collections,
      cpuMs,
      cpuPerCollectionMs: ratio(cpuMs, collections),
      coreShare: cpuMs / windowMs,
      peakRssBytes: memory.vmHwmBytes,
      rssBytes: memory.vmRssBytes,
      namedPods: o.expectNamed === undefined ? 0 : namedPods(text),
      warnings: agent.warnings().count,
    }
  } finally {
    await agent.stop()
  }
}
