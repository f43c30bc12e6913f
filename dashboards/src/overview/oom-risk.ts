// Which containers are closest to an OOM kill, and why the working set does not tell.
import { place, type Row } from '../layout.js'
import { CONTAINER_LEGEND, LIMIT_STEPS, barGauge, timeSeries } from '../panels.js'
import { TOP, UNRECLAIMABLE_RATIO, rule } from './shared.js'

export const closestToOom: Row = {
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
    place(
      barGauge({
        title: `Usage against the limit, top ${TOP}`,
        description:
          'Everything charged to the container (anon, page cache, kernel) as a share of its ' +
          'limit. Near 100 % the kernel reclaims on every allocation; whether that ends in a ' +
          'kill depends on how much of it is unreclaimable (above).',
        unit: 'percentunit',
        max: 1,
        thresholds: LIMIT_STEPS,
        queries: [
          {
            expr: `topk(${TOP}, ${rule('memlens:container_usage_over_limit:ratio')})`,
            legend: CONTAINER_LEGEND,
          },
        ],
      }),
      12,
      9,
    ),
    place(
      barGauge({
        title: `Working set against the limit, top ${TOP}`,
        description:
          'What kubectl top and kubelet see, as a share of the limit. Compare with the ' +
          'unreclaimable ranking: a container high there and low here holds dirty pages on ' +
          'the inactive list, which the working set leaves out.',
        unit: 'percentunit',
        max: 1,
        thresholds: LIMIT_STEPS,
        queries: [
          {
            expr: `topk(${TOP}, ${rule('memlens:container_working_set_over_limit:ratio')})`,
            legend: CONTAINER_LEGEND,
          },
        ],
      }),
      12,
      9,
    ),
  ],
}
