// The overview: which containers of the cluster are in trouble, and why. Ranked views use
// the recording rules (cheap on large clusters, and what the alerts use); the rest reads raw
// series.
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard'
import { memlensDashboard } from './common-dashboard.js'
import { addRows, place, type Row } from './layout.js'
import {
  CONTAINER_LEGEND,
  LIMIT_STEPS,
  barGauge,
  labelTable,
  statPanel,
  steps,
  timeSeries,
} from './panels.js'
import { CONTAINER, NAMESPACE, NODE, container, grewWithin, rate } from './promql.js'

const TOP = 10

/** A recording rule's series, filtered like the container series. */
const rule = (name: string, selector = CONTAINER): string => `${name}{${selector}}`

const UNRECLAIMABLE_RATIO = rule('memlens:container_unreclaimable_over_limit:ratio')
const DIRTY_RATIO = rule('memlens:container_dirty_writeback_over_limit:ratio')
const OOM_BY_CAUSE = container('oom_kills_by_cause_total')
const WS_MINUS_PROCESS_RSS = `${container('memory_working_set_bytes')} - ${container('processes_rss_bytes')}`

const glance: Row = {
  title: 'At a glance',
  panels: [
    place(
      statPanel({
        title: 'Containers watched',
        description:
          'Containers memlens reports for the selection, pod sandboxes ("POD") left out.',
        unit: 'short',
        queries: [{ expr: `count(${container('memory_usage_bytes')})`, legend: 'containers' }],
      }),
      4,
      4,
    ),
    place(
      statPanel({
        title: 'Closest to an OOM kill',
        description:
          'The highest share of its limit that any container cannot give back right now ' +
          '(anon, shmem, dirty and writeback pages, unreclaimable kernel memory). At 100 % the ' +
          'next allocation triggers the OOM killer. Containers without a limit are left out.',
        unit: 'percentunit',
        thresholds: LIMIT_STEPS,
        queries: [{ expr: `max(${UNRECLAIMABLE_RATIO})`, legend: 'highest' }],
      }),
      4,
      4,
    ),
    place(
      statPanel({
        title: 'Dirty + writeback',
        description:
          'Page cache written by the selected containers and not yet on disk, summed. It is ' +
          'charged to each container and cannot be reclaimed until the disk has taken it.',
        unit: 'bytes',
        queries: [
          {
            expr: `sum(${container('memory_dirty_bytes')} + ${container('memory_writeback_bytes')})`,
            legend: 'dirty + writeback',
          },
        ],
      }),
      4,
      4,
    ),
    place(
      statPanel({
        title: 'OOM kills in the time range',
        description:
          'Processes the OOM killer ended in the selected containers during the dashboard time ' +
          'range, as explained by memlens (every cause).',
        unit: 'short',
        thresholds: steps([1, 'red']),
        queries: [
          { expr: `sum(${grewWithin(OOM_BY_CAUSE, '$__range')}) or vector(0)`, legend: 'kills' },
        ],
      }),
      4,
      4,
    ),
    place(
      statPanel({
        title: 'Limit hits',
        description:
          'How often per second the selected containers reached their limit and the kernel ' +
          'had to reclaim before it could charge more memory (v1 failcnt, v2 memory.events max).',
        unit: 'ops',
        thresholds: steps([1, 'orange'], [100, 'red']),
        queries: [
          {
            expr: `sum(${rate(container('memory_limit_hits_total'))}) or vector(0)`,
            legend: 'limit hits',
          },
        ],
      }),
      4,
      4,
    ),
    place(
      statPanel({
        title: 'memlens agents',
        description:
          'Nodes whose memlens agent Prometheus scrapes. Fewer than the nodes you expect means ' +
          'some nodes are not watched.',
        unit: 'short',
        queries: [{ expr: `count(memlens_build_info{${NODE}})`, legend: 'agents' }],
      }),
      4,
      4,
    ),
  ],
}

const closestToOom: Row = {
  title: 'Closest to an OOM kill',
  panels: [
    place(
      barGauge({
        title: `Unreclaimable memory against the limit, top ${TOP}`,
        description:
          'Memory the kernel could not free if the container hit its limit now, as a share of ' +
          'the limit. This, not the working set, predicts a kill: a writer full of dirty pages ' +
          'can show a small working set while its unreclaimable memory sits at the limit.',
        unit: 'percentunit',
        max: 1,
        thresholds: LIMIT_STEPS,
        queries: [{ expr: `topk(${TOP}, ${UNRECLAIMABLE_RATIO})`, legend: CONTAINER_LEGEND }],
      }),
      8,
      9,
    ),
    place(
      timeSeries({
        title: 'Unreclaimable memory against the limit',
        description:
          `The ${TOP} containers with the highest share of unreclaimable memory at each moment. ` +
          'A line that climbs towards 100 % and stays there is a container about to be killed; ' +
          'compare with its pod dashboard to see which kind of memory fills it.',
        unit: 'percentunit',
        max: 1,
        thresholds: LIMIT_STEPS,
        queries: [{ expr: `topk(${TOP}, ${UNRECLAIMABLE_RATIO})`, legend: CONTAINER_LEGEND }],
      }),
      16,
      9,
    ),
  ],
}

const dirty: Row = {
  title: 'Dirty and writeback pages',
  panels: [
    place(
      barGauge({
        title: `Dirty + writeback against the limit, top ${TOP}`,
        description:
          'Page cache waiting for or being written to disk, as a share of the limit. Above ' +
          'about half the limit the writer outpaces its disk; the kernel throttles it (cgroup ' +
          'v2) or reclaim stalls on it, and the next step is an OOM kill.',
        unit: 'percentunit',
        max: 1,
        thresholds: steps([0.3, 'orange'], [0.5, 'red']),
        queries: [{ expr: `topk(${TOP}, ${DIRTY_RATIO})`, legend: CONTAINER_LEGEND }],
      }),
      8,
      9,
    ),
    place(
      timeSeries({
        title: 'Biggest dirty + writeback, peak between scrapes',
        description:
          'The highest dirty + writeback each container reached in memlens\' peak window (30 s ' +
          'by default). These counters swing from zero to half the limit within a second, so ' +
          'a single sample per scrape would miss them.',
        unit: 'bytes',
        queries: [
          {
            expr: `topk(${TOP}, ${container('memory_dirty_writeback_window_max_bytes')})`,
            legend: CONTAINER_LEGEND,
          },
        ],
      }),
      16,
      9,
    ),
    place(
      timeSeries({
        title: 'Dirty + writeback by namespace',
        description:
          `Dirty and writeback pages summed per namespace, the ${TOP} largest (recording rule; ` +
          'not filtered by node, which the sum drops).',
        unit: 'bytes',
        queries: [
          {
            expr: `topk(${TOP}, ${rule('namespace:memlens_container_memory_dirty_writeback_bytes:sum', NAMESPACE)})`,
            legend: '{{namespace}}',
          },
        ],
      }),
      12,
      8,
    ),
    place(
      timeSeries({
        title: 'Dirty + writeback by node',
        description:
          'Dirty and writeback pages of all containers summed per node (recording rule). A ' +
          'node whose sum nears vm.dirty_bytes (or dirty_ratio of its memory) throttles every ' +
          'writer on it, whatever their limits.',
        unit: 'bytes',
        queries: [
          {
            expr: rule('node:memlens_container_memory_dirty_writeback_bytes:sum', NODE),
            legend: '{{node}}',
          },
        ],
      }),
      12,
      8,
    ),
  ],
}

const oomKills: Row = {
  title: 'OOM kills',
  panels: [
    place(
      timeSeries({
        title: 'OOM kills by cause',
        description:
          'Kills per interval, by the cause memlens found: dirty_page_cache (writes outpaced ' +
          'the disk), page_cache (clean cache not reclaimed in time), anon (the program\'s ' +
          'own memory), shmem (tmpfs), kernel, unknown. The annotations mark each kill.',
        unit: 'short',
        bars: true,
        queries: [
          { expr: `sum by (cause) (${grewWithin(OOM_BY_CAUSE, '$__interval')})`, legend: '{{cause}}' },
        ],
      }),
      12,
      8,
    ),
    place(
      labelTable({
        title: 'OOM kills in the time range',
        description:
          'Every container with an explained kill in the dashboard time range, its cause and ' +
          'scope (container: its own limit; pod: the pod\'s limit; node: the node ran out).',
        unit: 'short',
        columns: ['namespace', 'pod', 'container', 'cause', 'scope'],
        valueColumn: 'kills',
        queries: [
          {
            expr:
              'sum by (namespace, pod, container, cause, scope) ' +
              `(${grewWithin(OOM_BY_CAUSE, '$__range')}) > 0`,
            legend: CONTAINER_LEGEND,
          },
        ],
      }),
      12,
      8,
    ),
  ],
}

const workingSetVsRss: Row = {
  title: 'kubectl top against ps: working set and process RSS',
  panels: [
    place(
      barGauge({
        title: `Working set minus process RSS, top ${TOP}`,
        description:
          'What `kubectl top` shows (the working set) minus what `ps` adds up inside the ' +
          'container (the VmRSS of its processes). A large gap is memory no process owns: ' +
          'page cache the container wrote or read, dirty pages, tmpfs, kernel memory.',
        unit: 'bytes',
        queries: [{ expr: `topk(${TOP}, ${WS_MINUS_PROCESS_RSS})`, legend: CONTAINER_LEGEND }],
      }),
      8,
      9,
    ),
    place(
      timeSeries({
        title: 'Working set minus process RSS',
        description:
          `The ${TOP} largest gaps between the working set and the processes' RSS over time. ` +
          'Negative values happen when processes map shared files counted in another cgroup.',
        unit: 'bytes',
        queries: [{ expr: `topk(${TOP}, ${WS_MINUS_PROCESS_RSS})`, legend: CONTAINER_LEGEND }],
      }),
      8,
      9,
    ),
    place(
      timeSeries({
        title: 'Process RSS as a share of the working set, lowest',
        description:
          `The ${TOP} containers whose processes explain the least of their working set, among ` +
          'containers with a working set of at least 64 MiB (small ones are noise). 10 % means ' +
          'ps accounts for a tenth of what kubectl top reports.',
        unit: 'percentunit',
        queries: [
          {
            expr:
              `bottomk(${TOP}, ${rule('memlens:container_processes_rss_over_working_set:ratio')}` +
              ` and on (namespace, pod, container) ${container('memory_working_set_bytes')} > 67108864)`,
            legend: CONTAINER_LEGEND,
          },
        ],
      }),
      8,
      9,
    ),
  ],
}

const LIMIT_HITS = container('memory_limit_hits_total')

const pressure: Row = {
  title: 'Limit hits and memory pressure',
  panels: [
    place(
      timeSeries({
        title: 'Limit hits, most frequent',
        description:
          'How often per second each container reaches its limit and must reclaim first. ' +
          'Hundreds a second with little anon memory is a writer its disk cannot keep up with.',
        unit: 'ops',
        queries: [{ expr: `topk(${TOP}, ${rate(LIMIT_HITS)})`, legend: CONTAINER_LEGEND }],
      }),
      12,
      8,
    ),
    place(
      timeSeries({
        title: 'Memory pressure stalls (PSI some), highest',
        description:
          'Share of time at least one task of the container waited for memory (cgroup v2 ' +
          'only; no series on v1). Sustained values above a few percent slow the program down ' +
          'even when it is never killed.',
        unit: 'percentunit',
        queries: [
          {
            expr: `topk(${TOP}, ${rate(container('pressure_memory_waiting_seconds_total'))})`,
            legend: CONTAINER_LEGEND,
          },
        ],
      }),
      12,
      8,
    ),
    place(
      timeSeries({
        title: 'Limit hits by namespace',
        description: 'Limit hits per second summed per namespace.',
        unit: 'ops',
        queries: [
          { expr: `topk(${TOP}, sum by (namespace) (${rate(LIMIT_HITS)}))`, legend: '{{namespace}}' },
        ],
      }),
      12,
      8,
    ),
    place(
      timeSeries({
        title: 'Limit hits by node',
        description: 'Limit hits per second summed per node.',
        unit: 'ops',
        queries: [{ expr: `sum by (node) (${rate(LIMIT_HITS)})`, legend: '{{node}}' }],
      }),
      12,
      8,
    ),
  ],
}

const rollUps: Row = {
  title: 'By namespace and node',
  panels: [
    place(
      timeSeries({
        title: 'Working set by namespace',
        description:
          `The working set (what kubectl top shows) summed per namespace, the ${TOP} largest ` +
          '(recording rule; not filtered by node).',
        unit: 'bytes',
        queries: [
          {
            expr: `topk(${TOP}, ${rule('namespace:memlens_container_memory_working_set_bytes:sum', NAMESPACE)})`,
            legend: '{{namespace}}',
          },
        ],
      }),
      8,
      8,
    ),
    place(
      timeSeries({
        title: 'Unreclaimable memory by namespace',
        description:
          'Memory the kernel cannot reclaim right now, summed per namespace (recording rule; ' +
          'not filtered by node). Where it is far above the working set, dirty pages are hiding ' +
          'on the inactive list.',
        unit: 'bytes',
        queries: [
          {
            expr: `topk(${TOP}, ${rule('namespace:memlens_container_memory_unreclaimable_bytes:sum', NAMESPACE)})`,
            legend: '{{namespace}}',
          },
        ],
      }),
      8,
      8,
    ),
    place(
      timeSeries({
        title: 'Working set and unreclaimable memory by node',
        description:
          'Both summed over the containers of each node: the working set kubelet evicts on, ' +
          'and the part of memory the node could not get back by reclaim.',
        unit: 'bytes',
        queries: [
          {
            expr: `sum by (node) (${container('memory_working_set_bytes')})`,
            legend: '{{node}} working set',
          },
          {
            expr: `sum by (node) (${container('memory_unreclaimable_bytes')})`,
            legend: '{{node}} unreclaimable',
          },
        ],
      }),
      8,
      8,
    ),
  ],
}

export const overview = (): Dashboard =>
  addRows(
    memlensDashboard({
      uid: 'memlens-overview',
      title: 'memlens / Overview',
      description:
        'Which containers are closest to an OOM kill, which hold the most dirty page cache, ' +
        'why containers were killed, and where kubectl top and ps disagree.',
      scope: 'overview',
    }),
    [glance, closestToOom, dirty, oomKills, workingSetVsRss, pressure, rollUps],
  ).build()
