// The working set next to cgroup RSS and process RSS, and the peaks a scrape misses.
import { place, type Row } from '../layout.js'
import { LIMIT_STEPS, timeSeries } from '../panels.js'
import { container, dirtyWriteback } from '../promql.js'

export const sideBySide: Row = {
  title: 'Working set, RSS and peaks',
  panels: [
    place(
      timeSeries({
        title: 'Working set, cgroup RSS and process RSS',
        description:
          'Three answers to "how much memory does it use?": the working set (kubectl top, ' +
          "kubelet evictions: usage minus inactive file cache), the cgroup's anonymous memory " +
          "(cAdvisor's container_memory_rss) and the sum of its processes' VmRSS (what ps " +
          'shows, including mapped files). A working set far above both is page cache.',
        unit: 'bytes',
        queries: [
          {
            expr: container('memory_working_set_bytes'),
            legend: '{{container}} working set (kubectl top)',
          },
          { expr: container('memory_rss_bytes'), legend: '{{container}} cgroup RSS (anon)' },
          {
            expr: container('processes_rss_bytes'),
            legend: '{{container}} process RSS (ps)',
          },
          { expr: container('memory_limit_bytes'), legend: '{{container}} limit' },
        ],
      }).overrideByRegexp('.* limit$', [
        { id: 'custom.fillOpacity', value: 0 },
        { id: 'custom.lineStyle', value: { fill: 'dash', dash: [10, 10] } },
      ]),
      12,
      9,
    ),
    place(
      timeSeries({
        title: 'Peaks between scrapes',
        description:
          'The highest values memlens saw within its peak window (30 s by default, sampling ' +
          'faster near the limit) next to the value at the scrape. Dirty and writeback pages ' +
          'swing within a second; a peak far above the scraped value is what a 15 s scrape ' +
          'misses.',
        unit: 'bytes',
        queries: [
          {
            expr: container('memory_usage_window_max_bytes'),
            legend: '{{container}} usage, peak',
          },
          {
            expr: container('memory_working_set_window_max_bytes'),
            legend: '{{container}} working set, peak',
          },
          {
            expr: container('memory_unreclaimable_window_max_bytes'),
            legend: '{{container}} unreclaimable, peak',
          },
          {
            expr: container('memory_dirty_writeback_window_max_bytes'),
            legend: '{{container}} dirty + writeback, peak',
          },
          {
            expr: dirtyWriteback(container),
            legend: '{{container}} dirty + writeback, at scrape',
          },
        ],
      }),
      12,
      9,
    ),
    place(
      timeSeries({
        title: 'Against the limit',
        description:
          'Peak usage, peak unreclaimable memory and peak dirty + writeback as shares of the ' +
          'limit, with the working set for comparison. Unreclaimable near 100 % means the next ' +
          'allocation kills; a working set far below it is dirty pages hiding on the inactive ' +
          'list. No series for a container without a limit.',
        unit: 'percentunit',
        thresholds: LIMIT_STEPS,
        queries: [
          {
            expr: `${container('memory_usage_window_max_bytes')} / ${container('memory_limit_bytes')}`,
            legend: '{{container}} usage, peak',
          },
          {
            expr: `${container('memory_unreclaimable_window_max_bytes')} / ${container('memory_limit_bytes')}`,
            legend: '{{container}} unreclaimable, peak',
          },
          {
            expr: `${container('memory_dirty_writeback_window_max_bytes')} / ${container('memory_limit_bytes')}`,
            legend: '{{container}} dirty + writeback, peak',
          },
          {
            expr: `${container('memory_working_set_bytes')} / ${container('memory_limit_bytes')}`,
            legend: '{{container}} working set',
          },
        ],
      }),
      12,
      9,
    ),
    place(
      timeSeries({
        title: 'Processes',
        description:
          'Processes in each container cgroup. A restart ends one line and starts another ' +
          '(the new container gets a new cgroup); compare with the OOM kill markers.',
        unit: 'short',
        queries: [{ expr: container('processes'), legend: '{{container}} processes' }],
      }),
      12,
      9,
    ),
  ],
}
