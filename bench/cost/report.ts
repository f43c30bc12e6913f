// The standing cost's report: one row per node size, and how each figure grows with the node
// (a least-squares line through the sizes). Pure; the same table as Markdown for the README.
//
// The C floor's whole pass (what the agent does per collection: directory listings, memory files,
// cgroup.procs, /proc/PID/status) is what every `x C` ratio and the goal are against: run back to
// back for the in-process collector (also back to back), and at the agent's pace beside each
// `serve` window for `serve` (the same machine at the same moment). The memory files alone (the
// floor before the process view) are shown for reference.
import { markdownTable, mb, ms, table, times } from '../format.js'
import { linearFit, ratio } from '../stats.js'
import { TARGETS } from '../targets.js'
import type { SizeCost } from './measure.js'
import type { ServeCost } from './serve-cost.js'

export const MISS_MARK = ' *'

const mark = (value: number | undefined, limit: number): string =>
  value !== undefined && Number.isFinite(value) && value > limit ? MISS_MARK : ''

function cpuCell(cpuMs: number | undefined, floorCpuMs: number | undefined): string {
  if (cpuMs === undefined) return 'n/a'
  const x = ratio(cpuMs, floorCpuMs ?? NaN)
  return `${ms(cpuMs)} ${times(x)}${mark(x, TARGETS.cpuRatio)}`
}

/** A serve run against the floor beside it; against the size's back-to-back floor where that one failed. */
const serveCell = (run: ServeCost | undefined, floorCpuMs: number | undefined): string =>
  cpuCell(run?.cpuPerCollectionMs, run?.floorBeside?.cpuMedianMs ?? floorCpuMs)

export function costHeader(apiPods: number): string[] {
  return [
    'cgroups',
    'C floor CPU/pass',
    'C floor, memory files only',
    'collect() in-process CPU, x C',
    'C floor beside serve (+ names)',
    'serve: CPU/collection, x C',
    `serve + ${apiPods} named pods`,
    'one gzip scrape',
    'peak RSS',
    'peak RSS + names',
  ]
}

export function costRows(sizes: readonly SizeCost[]): string[][] {
  return sizes.map((s) => {
    const floor = s.floor?.cpuMedianMs
    return [
      String(s.cgroups),
      ms(floor),
      ms(s.floor?.memoryCpuMedianMs),
      cpuCell(s.inProcess?.cpuMedianMs, floor),
      `${ms(s.serve?.floorBeside?.cpuMedianMs)} (${ms(s.serveKube?.floorBeside?.cpuMedianMs)})`,
      serveCell(s.serve, floor),
      serveCell(s.serveKube, floor),
      s.serve === undefined ? 'n/a' : ms(s.serve.scrapeCpuMs),
      `${mb(s.serve?.peakRssBytes)}${mark(s.serve?.peakRssBytes, TARGETS.rssBytes)}`,
      `${mb(s.serveKube?.peakRssBytes)}${mark(s.serveKube?.peakRssBytes, TARGETS.rssKubeBytes)}`,
    ]
  })
}

/** `fixed + slope per 1,000 cgroups`, each through a formatter. */
export function growthLines(sizes: readonly SizeCost[]): string[] {
  const line = (label: string, pick: (s: SizeCost) => number | undefined, fmt: (x: number) => string): string => {
    const fit = linearFit(sizes.map((s) => [s.cgroups, pick(s) ?? NaN]))
    if (!Number.isFinite(fit.slope)) return `  ${label.padEnd(28)}n/a (needs two sizes)`
    return `  ${label.padEnd(28)}${fmt(fit.intercept)} + ${fmt(fit.slope * 1000)} per 1,000 cgroups`
  }
  return [
    line('C floor CPU', (s) => s.floor?.cpuMedianMs, ms),
    line('C floor, memory files only', (s) => s.floor?.memoryCpuMedianMs, ms),
    line('collect() in-process CPU', (s) => s.inProcess?.cpuMedianMs, ms),
    line('C floor beside serve', (s) => s.serve?.floorBeside?.cpuMedianMs, ms),
    line('serve CPU/collection', (s) => s.serve?.cpuPerCollectionMs, ms),
    line('serve + names', (s) => s.serveKube?.cpuPerCollectionMs, ms),
    line('one gzip scrape', (s) => s.serve?.scrapeCpuMs, ms),
    line('peak RSS', (s) => s.serve?.peakRssBytes, mb),
    line('peak RSS + names', (s) => s.serveKube?.peakRssBytes, mb),
  ]
}

export function costGoals(apiPods: number, scrapeSeconds: number): string {
  return (
    `${MISS_MARK.trim()} misses its goal (issue 9): CPU per collection <= ${TARGETS.cpuRatio}x the C floor's CPU per pass ` +
    `(the whole pass: what the agent does per collection; for serve, the floor run beside it at its pace), with nobody scraping; ` +
    `peak RSS <= ${TARGETS.rssBytes / 1e6} MB without Kubernetes, <= ${TARGETS.rssKubeBytes / 1e6} MB with names for ${apiPods} pods, ` +
    `scraped every ${scrapeSeconds} s. Scraped every ${scrapeSeconds} s at one collection a second, ` +
    `a collection costs its figure plus one scrape's CPU / ${scrapeSeconds}.`
  )
}

/** What each C floor does, in words for the report. */
export const FLOOR_LEGEND = [
  '  C floor CPU/pass: CPU (CLOCK_PROCESS_CPUTIME_ID) of a whole pass of bench/floor.c, what the agent does per collection',
  '    with the least code: list the directories from the hierarchy root down to each pod (opendir, readdir, closedir),',
  "    read every cgroup's memory files, each container's cgroup.procs and the /proc/PID/status of each PID in it",
  '    (open, read, close), back to back. collect() in-process (also back to back) is against it.',
  "  C floor beside serve: the same passes, one per interval, run on the other core during serve's window (the same",
  '    machine at the same moment): what serve is against, the goal too (with names: the floor beside that run).',
  "  C floor, memory files only: the same program's passes over the memory files alone (the floor before the agent",
  '    read processes), alternating with the whole passes; for reference, no ratio is against it.',
]

export function costTable(sizes: readonly SizeCost[], apiPods: number): string {
  return table(costHeader(apiPods), costRows(sizes))
}

export function costMarkdown(sizes: readonly SizeCost[], apiPods: number): string {
  return markdownTable(costHeader(apiPods), costRows(sizes))
}
