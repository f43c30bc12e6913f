// --churn: pods and containers created and removed continuously in a tmpfs tree while
// `memlens serve` reads it (issue 9, item 2). Reports series against the live set, RSS and
// open file descriptors before and after; writes bench/out/results-churn.json.
import { rmSync } from 'node:fs'
import { resolve } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { startAgent, type RunningAgent } from '../agent-process.js'
import type { Options } from '../args.js'
import { get } from '../http.js'
import { startKube, type KubeFixture } from '../kube-fixture.js'
import { log } from '../log.js'
import { cycleCounters } from '../metrics-text.js'
import { fdCount, procMemory } from '../proc.js'
import { machine, writeResults } from '../results-file.js'
import { max } from '../stats.js'
import { generateTree } from '../tree/gen-tree.js'
import { Churner } from './churner.js'
import { churnReport, type ChurnResult } from './report.js'
import { agentState } from './state.js'

const scrape = async (agent: RunningAgent): Promise<string> => {
  const r = await get(`${agent.url}/metrics`)
  if (r.status !== 200) throw new Error(`/metrics answered ${r.status}`)
  return r.body.toString('latin1')
}

/** Waits until `n` collections have started and finished after now. */
async function collections(agent: RunningAgent, n: number, intervalMs: number): Promise<number> {
  const start = cycleCounters(await scrape(agent)).count
  const deadline = performance.now() + 30_000 + n * intervalMs * 3
  for (;;) {
    await sleep(Math.min(250, intervalMs / 2))
    const now = cycleCounters(await scrape(agent)).count
    // +1: the cycle in flight at `start` may have begun before the last change.
    if (now >= start + n + 1) return now
    if (performance.now() > deadline) throw new Error(`the agent did not finish ${n} more collections (counter at ${now}, was ${start})`)
  }
}

export async function runChurn(o: Options): Promise<number> {
  const version = o.versions[0] ?? 'v2'
  if (o.versions.length > 1) log(`--churn uses one tree: ${version}`)
  const tree = generateTree({
    version,
    pods: o.pods,
    containersPerPod: o.containersPerPod,
    ...(o.tmpdir === undefined ? {} : { tmp: resolve(o.tmpdir) }),
  })
  let kube: KubeFixture | undefined
  let agent: RunningAgent | undefined
  try {
    if (o.kube) kube = await startKube(tree.base, tree.expected, tree.expected.length)
    const churner = new Churner(tree, kube?.api)
    agent = await startAgent({ cgroupRoot: tree.cgroupRoot, interval: o.interval, extraArgs: kube?.args ?? [] })
    log(`agent ready in ${Math.round(agent.readyMs)} ms; warming up`)
    await sleep(Math.max(3000, 3 * o.intervalMs))
    await collections(agent, 2, o.intervalMs)
    const before = agentState(agent.pid, await scrape(agent), churner.liveIds())
    const countBefore = cycleCounters(await scrape(agent)).count

    const seconds = o.minutes * 60
    log(`churning for ${seconds} s at ${o.rate} pods/s`)
    const tickMs = 1000 / o.rate
    const t0 = performance.now()
    const rss: number[] = []
    const fds: number[] = []
    let nextSample = t0
    for (let tick = 0; performance.now() - t0 < seconds * 1000; tick++) {
      churner.replacePod()
      churner.restartContainer()
      if (performance.now() >= nextSample) {
        rss.push(procMemory(agent.pid).vmRssBytes)
        fds.push(fdCount(agent.pid))
        nextSample += 5000
      }
      const wait = t0 + (tick + 1) * tickMs - performance.now()
      // Behind schedule: still yield, so the HTTP client and the API server can run.
      await sleep(Math.max(0, wait))
    }
    const countAfter = await collections(agent, 2, o.intervalMs)
    const after = agentState(agent.pid, await scrape(agent), churner.liveIds())
    const warnings = agent.warnings()
    const result: ChurnResult = {
      version,
      interval: o.interval,
      pods: o.pods,
      containersPerPod: o.containersPerPod,
      kube: o.kube,
      seconds,
      rate: o.rate,
      counts: churner.counts,
      collections: countAfter - countBefore,
      before,
      after,
      during: { maxRssBytes: max(rss), maxFds: max(fds), samples: rss.length },
      warnings: { count: warnings.count, first: warnings.first },
    }
    const file = writeResults('results-churn.json', { ...machine(), ...result })
    console.log(churnReport(result))
    console.log(`\nResults: ${file}`)
    return 0
  } finally {
    await agent?.stop()
    await kube?.close()
    if (o.keep) log(`tree kept at ${tree.base}`)
    else rmSync(tree.base, { recursive: true, force: true })
  }
}
