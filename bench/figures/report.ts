// The default mode's report: the four figures against their goals per tree, diagnostics,
// how it was measured, and the checks that make the comparison fair. Pure: results in, text out.
import { busyWarning, count, errorSummary, mb, ms, percent, table, times, verdict } from '../format.js'
import { TARGETS } from '../targets.js'
import { max, min } from '../stats.js'
import type { FiguresResults, VersionResult } from './results.js'

export function figuresTable(results: FiguresResults): string {
  const rows: string[][] = []
  const row = (label: string, cells: readonly string[], target = ''): void => void rows.push([label, ...cells, target])
  const per = (fn: (r: VersionResult) => string | undefined): string[] =>
    results.columns.map((c) => {
      const r = results.versions[c.key]
      return (r === undefined ? undefined : fn(r)) ?? 'n/a'
    })
  const blank = results.columns.map(() => '')
  row(
    '(1) collection cycle, median',
    per((r) => r.cycle && ms(r.cycle.medianMs)),
  )
  row(
    '    C floor, same files, median',
    per((r) => r.floor && ms(r.floor.medianMs)),
  )
  row(
    '    ratio agent / C',
    per((r) => r.cycle && `${times(r.cycle.ratio)} ${verdict(r.cycle.ratio, TARGETS.cycleRatio)}`),
    `<= ${TARGETS.cycleRatio}x`,
  )
  row(
    '    ratio by CPU time; per round',
    per((r) => r.cycle && `${times(r.cycle.cpuRatio)}; ${min(r.cycle.roundRatios).toFixed(2)}-${max(r.cycle.roundRatios).toFixed(2)}x`),
  )
  row(
    '(2) /metrics median (p99)',
    per(
      (r) =>
        r.process &&
        `${ms(r.process.metrics.medianMs)} (${ms(r.process.metrics.p99Ms)}) ${verdict(r.process.metrics.medianMs, TARGETS.metricsMedianMs)}`,
    ),
    `<= ${TARGETS.metricsMedianMs} ms median`,
  )
  row(
    '(3) RSS peak VmHWM',
    per((r) => r.process && `${mb(r.process.peakRssBytes)} ${verdict(r.process.peakRssBytes, TARGETS.rssBytes)}`),
    `<= ${TARGETS.rssBytes / 1e6} MB`,
  )
  row(
    '(4) /healthz p99, collecting',
    per((r) => r.process && `${ms(r.process.healthz.p99Ms)} ${verdict(r.process.healthz.p99Ms, TARGETS.healthzP99Ms)}`),
    `<= ${TARGETS.healthzP99Ms} ms p99`,
  )
  row('', blank)
  row('diagnostics', blank)
  row(
    '  cgroups read per cycle',
    per((r) => r.cycle && `${r.cycle.found.pods + r.cycle.found.containers}`),
  )
  row(
    '  cgroup file reader',
    per((r) => r.cycle?.reader),
  )
  row(
    '  files opened: agent / C',
    per((r) => r.cycle && `${count(r.cycle.files.openedPerCycle)} / ${count(r.floor?.openedPerPass)}`),
  )
  row(
    '  Node open/read/close only, no parse',
    per(
      (r) =>
        r.cycle &&
        `${ms(r.cycle.nodeReadMs)} (${times(r.cycle.nodeReadMs / (r.floor?.medianMs ?? NaN))} C, CPU ${times(r.cycle.nodeReadCpuMs / (r.floor?.cpuMedianMs ?? NaN))})`,
    ),
  )
  row(
    '  directory walk (discover) alone',
    per((r) => r.cycle && ms(r.cycle.discoverMs)),
  )
  row(
    '  per cgroup: agent / C',
    per((r) => {
      const n = r.tree?.cgroups
      if (r.cycle === undefined || n === undefined) return undefined
      return `${((r.cycle.medianMs * 1000) / n).toFixed(1)} / ${(((r.floor?.medianMs ?? NaN) * 1000) / n).toFixed(1)} us`
    }),
  )
  row(
    '  render + gzip (once per cycle)',
    per((r) => r.cycle && ms(r.cycle.renderMs)),
  )
  row(
    '  /metrics size, series, requests',
    per(
      (r) => r.process && `${(r.process.metrics.bytes / 1e6).toFixed(2)} MB, ${r.process.metrics.series}, n=${r.process.metrics.requests}`,
    ),
  )
  row(
    '  /metrics median while collecting',
    per((r) => r.process && `${ms(r.process.metricsUnderLoad.medianMs)} (p99 ${ms(r.process.metricsUnderLoad.p99Ms)})`),
  )
  row(
    '  /healthz p50 / max',
    per((r) => r.process && `${ms(r.process.healthz.p50Ms)} / ${ms(r.process.healthz.maxMs)}`),
  )
  row(
    '  collector busy during probes',
    per(
      (r) =>
        r.process &&
        `${percent(r.process.healthz.collectorBusyShare)} (${r.process.healthz.cyclesInWindow} cycles, ${ms(r.process.healthz.meanCycleMs)} each)`,
    ),
  )
  row(
    '  VmRSS default / continuous',
    per((r) => r.process && `${mb(r.process.rssDefault.vmRssBytes)} / ${mb(r.process.rssContinuous.vmRssBytes)}`),
  )
  row(
    '  start to /readyz 200',
    per((r) => r.process && ms(r.process.readyMs)),
  )
  if (results.real) {
    row(
      '  agent scope; discovery exact',
      per((r) => r.tree?.discovery && `${r.tree.scope}; ${r.tree.discovery.exact ? 'yes' : 'NO'}`),
    )
    row(
      '  mkdir / rmdir of the memcgs',
      per((r) => r.tree?.cleanup && `${ms(r.tree.cleanup.timings['mkdirMs'])} / ${ms(r.tree.cleanup.ms)} (${r.tree.cleanup.removed})`),
    )
  }
  const header = ['figure', ...results.columns.map((c) => c.label), 'target (issues 2, 9)']
  return table(header, rows)
}

/** Everything printed on stdout after a run. */
export function figuresReport(results: FiguresResults, resultsFile: string): string {
  const out: string[] = []
  const say = (line = ''): void => void out.push(line)
  const { plan } = results
  const cgroups = plan.pods * (plan.containersPerPod + 1)
  const real = results.real ? results.versions['v1-real']?.tree : undefined
  say('')
  if (results.real) {
    const layout =
      real?.scope === 'all'
        ? `every one of the ${real.cgroups} cgroups below the parent, scope 'all' (FALLBACK: kubernetes scope did not find the tree)`
        : 'pods + containers, kubelet cgroupfs layout, kubernetes scope'
    say(`memlens bench: ${plan.pods} pods x ${plan.containersPerPod} containers (${cgroups} cgroups: ${layout})`)
    say(`REAL cgroup v1 memory cgroups under ${real?.parent ?? 'n/a'} (--cgroup-root ${real?.root ?? 'n/a'} --cgroup-parent <that>)`)
  } else {
    say(
      `memlens bench: ${plan.pods} pods x ${plan.containersPerPod} containers (${cgroups} cgroups: pods + containers, systemd/containerd layout)`,
    )
  }
  say(
    `node ${results.node}, ${results.cpus} x ${results.cpuModel ?? '?'}, kernel ${results.kernel}${results.quick ? ', QUICK run (small tree: figures are not the issue-2 ones)' : ''}`,
  )
  say('')
  say(figuresTable(results))
  say('')
  const flags = Object.values(results.versions).find((r) => r.process !== undefined)?.process?.nodeFlags ?? []
  say('How measured: (1) median of in-process Collector.collect() (discovery + reads + parsing + snapshot;')
  say(`  rendering is separate) vs median of bench/floor.c passes over the same cgroup list and files`)
  say(`  (READ_SPEC; the C side does not walk directories), alternating in ${plan.rounds} rounds of ${plan.passesPerRound};`)
  say('  (2) sequential keep-alive GETs against `serve` at its default interval (p99 of few samples ~ max);')
  say(`  (3) max VmHWM of both agent runs; (4) ${plan.healthzRequests} GETs ${plan.healthzSpacingMs} ms apart, a fresh connection each,`)
  say(`  against \`serve --interval ${plan.continuousInterval}\` (the collector runs back to back).`)
  say(
    `  The agent ran as \`node ${flags.join(' ')}${flags.length > 0 ? ' ' : ''}dist/agent/main.js serve\` (npm start's flags); --cost measures the bare command.`,
  )
  say('Targets are the goals of issues 2 and 9, reported here; they are not test assertions.')
  say(`CAVEAT: ${results.caveat}`)
  for (const s of results.skipped) say(`NOTE: ${s}`)
  if (real !== undefined) {
    const d = real.discovery
    if (d !== undefined) {
      say(
        d.scope === 'kubernetes'
          ? `Discovery: the agent's kubernetes scope under --cgroup-parent found exactly the ${d.kubernetes.pods} pods and ${d.kubernetes.containers} containers made (uids, QoS, container ids checked).`
          : `Discovery: kubernetes scope under --cgroup-parent did NOT find the tree (${d.kubernetes.problems} problems, e.g. ${d.kubernetes.firstProblems[0] ?? '?'}); ` +
              `measured with scope 'all' over every directory below the parent, the parent included (${d.all?.cgroups ?? 'n/a'} found, ${d.all?.expected ?? 'n/a'} expected; exact: ${d.exact}), ` +
              'and the C floor was given that same directory list.',
      )
    }
    const c = real.cleanup
    if (c !== undefined) {
      const tm = c.timings
      say(
        `Real tree: mkdir of ${c.removed} memory cgroups ${ms(tm['mkdirMs'])}, memory.limit_in_bytes writes ${ms(tm['limitsMs'])}, ` +
          `dd writers ${ms(tm['writersMs'])}; rmdir of all of them ${ms(c.ms)} (${c.retries} EBUSY retries)` +
          (c.failed.length > 0 ? `; NOT REMOVED: ${c.failed.join(', ')}` : ''),
      )
    }
  }
  const left = results.leftBelowOwn
  if (left !== undefined) {
    const ours = left.children.filter((n) => n.startsWith('memlens-bench-'))
    say(
      `Below our memory cgroup ${left.own ?? 'n/a'} now: ${left.children.length === 0 ? 'no cgroups' : left.children.join(', ')}` +
        (ours.length > 0 ? ' (LEFT BEHIND by the bench!)' : ''),
    )
  }
  for (const w of busyWarning(results.loadAverage.before, results.loadAverage.after, results.cpus)) say(w)
  const notes = results.columns.flatMap(({ key }) => (results.versions[key]?.cycle?.files.notes ?? []).map((n) => `${key}: ${n}`))
  if (notes.length > 0) {
    say('')
    say('File-list / correctness checks (the comparison is only fair when these are empty):')
    for (const n of notes) say(`  - ${n}`)
  }
  if (results.errors.length > 0) {
    say('')
    say('Not measured:')
    for (const e of results.errors) say(`  - ${errorSummary(e)}`)
  }
  say('')
  say(`Results: ${resultsFile} (${results.totalSeconds} s)`)
  return out.join('\n')
}
