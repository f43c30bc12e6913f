// The churn report: the agent before and after, side by side. Pure.
import { count, mb, table } from '../format.js'
import type { AgentState } from './state.js'

export interface ChurnResult {
  readonly version: string
  readonly interval: string
  readonly pods: number
  readonly containersPerPod: number
  readonly kube: boolean
  readonly seconds: number
  readonly rate: number
  readonly counts: { readonly podsCreated: number; readonly podsRemoved: number; readonly containersRestarted: number }
  readonly collections: number
  readonly before: AgentState
  readonly after: AgentState
  readonly during: { readonly maxRssBytes: number; readonly maxFds: number; readonly samples: number }
  readonly warnings: { readonly count: number; readonly first: readonly string[] }
}

export function churnReport(r: ChurnResult): string {
  const row = (label: string, pick: (s: AgentState) => string, during = ''): string[] => [label, pick(r.before), pick(r.after), during]
  const rows = [
    row('live set: pods / containers', (s) => `${s.livePods} / ${s.liveContainers}`),
    row('cgroups with series: pods / containers', (s) => `${s.seriesPods} / ${s.seriesContainers}`),
    row('series of gone cgroups (stale)', (s) => String(s.stale)),
    row('live cgroups without series', (s) => String(s.missing)),
    row('per-cgroup series', (s) => String(s.cgroupSeries)),
    ...(r.kube ? [row('pods with names', (s) => String(s.namedPods))] : []),
    row('VmRSS', (s) => mb(s.vmRssBytes), `max ${mb(r.during.maxRssBytes)}`),
    row('VmHWM (peak so far)', (s) => mb(s.vmHwmBytes)),
    row('open file descriptors', (s) => String(s.fds), `max ${count(r.during.maxFds)}`),
  ]
  const a = r.after
  const exact = a.stale === 0 && a.missing === 0
  const lines = [
    '',
    `memlens bench --churn: ${r.pods} live pods x ${r.containersPerPod} containers (${r.version} tmpfs tree), \`memlens serve --interval ${r.interval}\`${r.kube ? ' with names from the fake API server' : ''}`,
    `${(r.seconds / 60).toFixed(2)} min of churn at ${r.rate} pods/s: ${r.counts.podsCreated} pods created, ${r.counts.podsRemoved} removed, ` +
      `${r.counts.containersRestarted} containers restarted; ${r.collections} collections meanwhile`,
    '',
    table(['', 'before churn', 'after churn', 'during'], rows),
    '',
    `series = live set after churn: ${exact ? 'yes' : `NO (${a.examples.join('; ')})`}`,
    `open file descriptors: ${r.before.fds} -> ${a.fds}${a.fds > r.before.fds ? ' (MORE after churn)' : ''}`,
    `RSS: ${mb(r.before.vmRssBytes)} -> ${mb(a.vmRssBytes)} (${a.vmRssBytes >= r.before.vmRssBytes ? '+' : ''}${mb(a.vmRssBytes - r.before.vmRssBytes)})`,
    `warnings or errors the agent logged (whole run): ${r.warnings.count}`,
    ...r.warnings.first.map((w) => `  ${w}`),
    ...(r.kube && a.namedPods !== a.livePods ? [`pods with names after churn: ${a.namedPods} of ${a.livePods} live`] : []),
    '',
    'Before: after warm-up on the initial tree. After: churn stopped, then two whole collections. During: sampled every 5 s.',
    'Cgroups appear and vanish whole (built aside, renamed in; renamed out, then deleted), as mkdir/rmdir do on cgroupfs.',
  ]
  return lines.join('\n')
}
