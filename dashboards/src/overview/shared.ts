// What the overview's rows share: how many containers a ranking shows and how a recording
// rule is filtered.
import { CONTAINER, container } from '../promql.js'

export const TOP = 10

/** A recording rule's series, filtered like the container series. */
export const rule = (name: string, selector = CONTAINER): string => `${name}{${selector}}`

/** Memory the kernel cannot reclaim now, over the limit: what predicts a kill. */
export const UNRECLAIMABLE_RATIO = rule('memlens:container_unreclaimable_over_limit:ratio')
/** Explained kills; the series appears with the first kill of its cause. */
export const OOM_BY_CAUSE = container('oom_kills_by_cause_total')
