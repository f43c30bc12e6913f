// --cost: the standing cost of `memlens serve` as the node grows, with and without Kubernetes
// names, against the C floor (issue 9). Prints the table and the growth, writes
// bench/out/results-cost.json and bench/out/cost.md (the table as Markdown, for the README).
import { rmSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import type { Options } from '../args.js'
import { busyWarning, errorSummary } from '../format.js'
import { tryBuildFloor } from '../floor.js'
import { log } from '../log.js'
import { OUT } from '../paths.js'
import { loadAverage } from '../proc.js'
import { machine, writeResults } from '../results-file.js'
import { step } from '../step.js'
import { TARGETS } from '../targets.js'
import { generateTree } from '../tree/gen-tree.js'
import { measureSize, type CostPlan, type SizeCost } from './measure.js'
import { costGoals, costMarkdown, costTable, FLOOR_LEGEND, growthLines } from './report.js'
import { SCRAPE_INTERVAL_MS } from './serve-cost.js'

export function costPlan(o: Options): CostPlan {
  return {
    interval: o.interval,
    intervalMs: o.intervalMs,
    windowMs: o.windowSeconds * 1000,
    warmupMs: o.warmupSeconds * 1000,
    inProcessCycles: o.quick ? 5 : 10,
    floorPasses: o.quick ? 3 : 5,
    apiPods: o.apiPods,
  }
}

export async function runCost(o: Options): Promise<number> {
  const started = performance.now()
  const loadBefore = loadAverage()
  const plan = costPlan(o)
  const errors: string[] = []
  const floorBin = tryBuildFloor(errors)
  const sizes: SizeCost[] = []
  for (const version of o.versions) {
    for (const size of o.sizes) {
      const pods = Math.max(1, Math.round(size / (o.containersPerPod + 1)))
      const tree = await step(errors, `${version} ${size} cgroups`, 'generate tree', () =>
        generateTree({
          version,
          pods,
          containersPerPod: o.containersPerPod,
          ...(o.tmpdir === undefined ? {} : { tmp: resolve(o.tmpdir) }),
        }),
      )
      if (tree === undefined) continue
      try {
        sizes.push(await measureSize(tree, floorBin, plan, errors))
      } finally {
        if (o.keep) log(`tree kept at ${tree.base}`)
        else rmSync(tree.base, { recursive: true, force: true })
      }
    }
  }
  const results = {
    ...machine(),
    quick: o.quick,
    plan: { ...plan, scrapeIntervalMs: SCRAPE_INTERVAL_MS },
    targets: {
      cpuRatio: TARGETS.cpuRatio,
      rssBytes: TARGETS.rssBytes,
      rssKubeBytes: TARGETS.rssKubeBytes,
      note: 'goals of issue 9; reported, not asserted',
    },
    sizes,
    errors,
    loadAverage: { before: loadBefore, after: loadAverage() },
    totalSeconds: Number(((performance.now() - started) / 1000).toFixed(1)),
  }
  const file = writeResults('results-cost.json', results)
  const out: string[] = ['']
  const md: string[] = []
  const scrapeSeconds = SCRAPE_INTERVAL_MS / 1000
  out.push(
    `memlens bench --cost: the standing cost of \`node dist/agent/main.js serve --interval ${plan.interval}\` (no V8 flags), scraped every ${scrapeSeconds} s`,
  )
  out.push(`node ${results.node}, ${results.cpus} x ${results.cpuModel ?? '?'}, kernel ${results.kernel}${o.quick ? ', QUICK run' : ''}`)
  for (const version of o.versions) {
    const rows = sizes.filter((s) => s.version === version)
    if (rows.length === 0) continue
    out.push(
      '',
      `cgroup ${version} (tmpfs tree, ${o.containersPerPod} containers per pod):`,
      '',
      costTable(rows, plan.apiPods),
      '',
      'How it grows (least squares over the sizes):',
      ...growthLines(rows),
    )
    md.push(`cgroup ${version}, ${o.containersPerPod} containers per pod:`, '', costMarkdown(rows, plan.apiPods), '')
  }
  out.push(
    '',
    costGoals(plan.apiPods, scrapeSeconds),
    "How measured: CPU per collection of `serve` is the process's utime+stime from /proc/PID/stat over a",
    `  ${o.windowSeconds} s window, divided by the collections in it (memlens_collect_duration_seconds_count, read by one`,
    '  scrape before and one after the window, neither inside it). The window starts after',
    `  ${plan.warmupMs / 1000} s of serving (after the names, with Kubernetes): start-up, V8 compiling the hot code and the heap`,
    '  growing to its size are left out, since the standing cost is what an agent that runs for months pays.',
    `  Through the warm-up, /metrics is scraped with gzip every ${scrapeSeconds} s, as Prometheus does; in the window`,
    '  nobody scrapes, as the goal says. Then one gzip scrape is timed alone, three times, each after a new collection',
    '  (so it renders and compresses a new body, as a scrape every 15 s does), and the least is shown',
    "  (CPU of the process's threads from /proc/PID/task/*/schedstat). Peak RSS (VmHWM of /proc/PID/status at the",
    '  end) includes every scrape. The figure includes everything the process does (collections, its process view,',
    '  timers, runtime metrics, the API watch).',
    "  collect() in-process: process.cpuUsage() around Collector.collect() in the benchmark's own process, processes",
    '  read from /proc as `serve` does.',
    ...FLOOR_LEGEND,
    '  The back-to-back floor runs before and after the agent on the same tree; its passes are pooled. Each generated container',
    "  cgroup lists one live PID (the benchmark's own), so the floor and the agent read a real /proc/PID/status.",
    `  Names: the fake API server of test/kube serves ${plan.apiPods} pods for the node; the tree's pods among them carry names.`,
    ...busyWarning(results.loadAverage.before, results.loadAverage.after, results.cpus),
  )
  if (errors.length > 0) out.push('', 'Not measured:', ...errors.map((e) => `  - ${errorSummary(e)}`))
  const mdFile = join(OUT, 'cost.md')
  writeFileSync(mdFile, md.join('\n'))
  out.push('', `Results: ${file}, ${mdFile} (${results.totalSeconds} s)`)
  console.log(out.join('\n'))
  return errors.length > 0 ? 1 : 0
}
