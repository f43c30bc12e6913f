// The standing cost of the `memlens` command as it ships: `node dist/agent/main.js serve`,
// no V8 flags, one collection per --interval. Its CPU comes from /proc/PID/stat and its peak
// memory from VmHWM, so everything the process does counts: collection, timers, runtime metrics,
// the Kubernetes watch.
//
// The standing cost is what an agent that runs for months pays per collection, so the first
// warmupMs (start-up, V8 compiling the hot code, the heap growing to its working size; the first
// ~10 s cost 2-3x the steady state) are left out: the window starts after them. Through the
// warm-up the agent is scraped like Prometheus scrapes it (gzip, every SCRAPE_INTERVAL_MS from
// the moment it is ready), so peak RSS has seen scrapes; in the window nobody scrapes, as the goal
// says (issue 9: CPU per collection with nobody scraping). What a scrape costs is measured after
// the window, scrape by scrape, and reported beside it.
//
// The window is bracketed by two more scrapes that read the collection counter; the CPU is read
// after the first response and before the second request, so neither of those two is in it.
import { setTimeout as sleep } from 'node:timers/promises'
import { startAgent, type AgentOptions, type RunningAgent } from '../agent-process.js'
import { errorMessage } from '../errors.js'
import type { FloorSummary } from '../floor.js'
import { get } from '../http.js'
import { cycleCounters, namedPods } from '../metrics-text.js'
import { procCpuFineMs, procCpuMs, procMemory } from '../proc.js'
import { ratio } from '../stats.js'

/**
 * How often the agent is scraped while measured: 15 s, the scrape_interval of Prometheus' example
 * configuration and a common one on clusters. A constant, so that runs compare; Prometheus asks
 * for gzip (bench/http.ts does).
 */
export const SCRAPE_INTERVAL_MS = 15_000

/**
 * Scrapes timed one by one after the window, each after a new collection, so that each renders
 * and compresses a new body as a scrape every 15 s does (scrapes until the next collection are
 * sent the same bytes). A collection can land inside one; the least of them is the scrape alone.
 */
export const SCRAPE_SAMPLES = 3

export interface ServeCost {
  readonly readyMs: number
  /** Serving before the window, left out of it. */
  readonly warmupMs: number
  readonly windowMs: number
  readonly collections: number
  /** Regular scrapes (every SCRAPE_INTERVAL_MS) through the warm-up: peakRssBytes has seen each of them. */
  readonly scrapes: number
  /** CPU of the whole process over the window, nobody scraping. */
  readonly cpuMs: number
  /** The same per collection in the window. */
  readonly cpuPerCollectionMs: number
  /** CPU of one gzip scrape of /metrics after a new collection: the least of SCRAPE_SAMPLES, timed after the window. */
  readonly scrapeCpuMs: number
  /** The same as a share of one core. */
  readonly coreShare: number
  readonly peakRssBytes: number
  readonly rssBytes: number
  /** The C floor run at the agent's pace beside it, in the window (runFloorPaced): what its ratio is against. */
  readonly floorBeside?: FloorSummary
  /** Pods with names in /metrics (0 without Kubernetes). */
  readonly namedPods: number
  /** Log lines at warn or above while it ran. */
  readonly warnings: number
}

export interface ServeCostOptions {
  readonly agent: AgentOptions
  /** The agent's --interval in milliseconds: each timed scrape waits for a collection to replace the last body. */
  readonly intervalMs: number
  readonly windowMs: number
  readonly warmupMs: number
  /**
   * Started as the window starts, awaited after it: the C floor at the agent's pace, on the other
   * core, so that both see the same machine. Undefined (and its error reported by the caller) when it fails.
   */
  readonly floorBeside?: (windowMs: number) => Promise<FloorSummary | undefined>
  /** With Kubernetes: wait until this many pods have names before measuring. */
  readonly expectNamed?: number
}

const scrape = async (url: string): Promise<string> => {
  const r = await get(`${url}/metrics`)
  if (r.status !== 200) throw new Error(`/metrics answered ${r.status}`)
  return r.body.toString('latin1')
}

interface Scraper {
  /** performance.now() at the start of each scrape. */
  readonly starts: readonly number[]
  /** Waits for a scrape in flight; throws the first scrape's failure, if any. */
  stop(): Promise<void>
}

/** Scrapes url at once and then every intervalMs (fixed rate, as Prometheus does), until stopped. */
function scrapeEvery(url: string, intervalMs: number): Scraper {
  const starts: number[] = []
  const stopped = new AbortController()
  let failure: unknown
  const loop = (async (): Promise<void> => {
    const t0 = performance.now()
    for (let k = 0; !stopped.signal.aborted; k++) {
      const wait = t0 + k * intervalMs - performance.now()
      if (wait > 0) {
        try {
          await sleep(wait, undefined, { signal: stopped.signal })
        } catch {
          break
        }
      }
      starts.push(performance.now())
      try {
        await scrape(url)
      } catch (er) {
        failure ??= er
      }
    }
  })()
  return {
    starts,
    stop: async () => {
      stopped.abort()
      await loop
      if (failure !== undefined) throw new Error(`a regular scrape failed: ${errorMessage(failure)}`)
    },
  }
}

/** The agent's CPU so far; when it is gone, says so with what it last wrote (not an ENOENT of /proc). */
function cpuOf(agent: RunningAgent, read: (pid: number) => number = procCpuMs): number {
  try {
    return read(agent.pid)
  } catch (er) {
    const how = agent.exitedWith()
    if (how === undefined) throw er
    throw new Error(`memlens serve exited (${how}) while measured; its last output:\n${agent.output().slice(-1500)}`)
  }
}

export async function serveCost(o: ServeCostOptions): Promise<ServeCost> {
  const agent = await startAgent(o.agent)
  const scraper = scrapeEvery(agent.url, SCRAPE_INTERVAL_MS)
  try {
    let named = 0
    if (o.expectNamed !== undefined) {
      const deadline = performance.now() + 30_000
      while ((named = namedPods(await scrape(agent.url))) < o.expectNamed) {
        if (performance.now() > deadline) throw new Error(`only ${named} of ${o.expectNamed} pods got names from the API within 30 s`)
        await sleep(250)
      }
    }
    const w0 = performance.now()
    await sleep(o.warmupMs)
    await scraper.stop()
    const before = cycleCounters(await scrape(agent.url))
    const cpu0 = cpuOf(agent)
    const t0 = performance.now()
    const beside = o.floorBeside?.(o.windowMs)
    await sleep(o.windowMs)
    const cpuMs = cpuOf(agent) - cpu0
    const t1 = performance.now()
    const windowMs = t1 - t0
    const text = await scrape(agent.url)
    const after = cycleCounters(text)
    const scrapeCpu: number[] = []
    for (let k = 0; k < SCRAPE_SAMPLES; k++) {
      await sleep(o.intervalMs * 1.5)
      const c0 = cpuOf(agent, procCpuFineMs)
      await scrape(agent.url)
      scrapeCpu.push(cpuOf(agent, procCpuFineMs) - c0)
    }
    const memory = procMemory(agent.pid)
    const floorBeside = await beside
    const collections = after.count - before.count
    return {
      readyMs: agent.readyMs,
      warmupMs: t0 - w0,
      windowMs,
      collections,
      scrapes: scraper.starts.length,
      cpuMs,
      cpuPerCollectionMs: ratio(cpuMs, collections),
      scrapeCpuMs: Math.min(...scrapeCpu),
      coreShare: cpuMs / windowMs,
      peakRssBytes: memory.vmHwmBytes,
      rssBytes: memory.vmRssBytes,
      ...(floorBeside === undefined ? {} : { floorBeside }),
      namedPods: o.expectNamed === undefined ? 0 : namedPods(text),
      warnings: agent.warnings().count,
    }
  } finally {
    await scraper.stop().catch(() => undefined)
    await agent.stop()
  }
}
