// OOM kills as annotations: a marker at the moment of each kill, titled with its cause.
import { AnnotationQueryBuilder } from '@grafana/grafana-foundation-sdk/dashboard'
import { container } from './promql.js'
import { DATASOURCE } from './variables.js'

/**
 * The gauge holds the Unix time of each container's latest explained kill, so it keeps the
 * same value from one scrape to the next and changes only at a new kill. "Series value as
 * timestamp" (useValueForTime) puts the marker at that value, in milliseconds, instead of at
 * every step where the series exists; Grafana merges the identical points into one marker.
 */
export const oomKills = (): AnnotationQueryBuilder =>
  new AnnotationQueryBuilder()
    .name('OOM kills')
    .datasource(DATASOURCE)
    .enable(true)
    .iconColor('red')
    .expr(`${container('oom_last_kill_timestamp_seconds')} * 1000`)
    .step('30s')
    .useValueForTime(true)
    .titleFormat('OOM kill: {{cause}}')
    .textFormat('{{namespace}}/{{pod}}/{{container}}: cause {{cause}}, out of memory at the {{scope}} level')
    .tagKeys('cause,scope')
