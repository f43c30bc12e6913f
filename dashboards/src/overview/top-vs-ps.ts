// Where kubectl top (the working set) and ps (process RSS) disagree.
import { place, type Row } from '../layout.js'
import { CONTAINER_LEGEND, barGauge, timeSeries } from '../panels.js'
import { container } from '../promql.js'
import { TOP, rule } from './shared.js'

const WS_MINUS_PROCESS_RSS = `${container('memory_working_set_bytes')} - ${container('processes_rss_bytes')}`

export const workingSetVsRss: Row = {
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
