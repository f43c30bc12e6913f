// PromQL shared by both dashboards. Every matcher on a variable is a regex matcher (`=~`):
// Grafana's "All" becomes `.*`, which also matches series that lack the label (no `cluster`
// without external labels, no `node` without the ServiceMonitor's relabeling), and the e2e
// test can run each expression with the variables replaced by `.*`.

/** The series of one container, as the variables select them; `POD` is the pause sandbox. */
export const CONTAINER =
  'cluster=~"$cluster", node=~"$node", namespace=~"$namespace", pod=~"$pod", ' + 'container=~"$container", container!="POD"'

/** The pod cgroup's own series (labels `id, namespace, pod`). */
export const POD = 'cluster=~"$cluster", node=~"$node", namespace=~"$namespace", pod=~"$pod"'

/** Per-namespace roll-ups lose `node` when summed by namespace, so they filter on less. */
export const NAMESPACE = 'cluster=~"$cluster", namespace=~"$namespace"'

/** Per-node roll-ups. */
export const NODE = 'cluster=~"$cluster", node=~"$node"'

/** `memlens_container_<name>{<CONTAINER>}` */
export const container = (name: string): string => `memlens_container_${name}{${CONTAINER}}`

/** `memlens_pod_<name>{<POD>}` */
export const pod = (name: string): string => `memlens_pod_${name}{${POD}}`

/** Dirty plus writeback: both are file pages that cannot be dropped until the disk has them. */
export const dirtyWriteback = (family: (name: string) => string): string =>
  `(${family('memory_dirty_bytes')} + ${family('memory_writeback_bytes')})`

/**
 * Inactive file pages that are clean, so reclaim can drop them at once. Dirty and writeback
 * pages sit mostly on the inactive list (the kernel adds fresh pages there); a dirty page on
 * the active list would make the difference negative, hence the floor.
 */
export const inactiveClean = (family: (name: string) => string): string =>
  `clamp_min(${family('memory_inactive_file_bytes')} - ${dirtyWriteback(family)}, 0)`

/**
 * How much a counter grew within `window`, counting a series that appeared inside it from
 * zero. `increase()` would not: the OOM-by-cause counter is born at its first kill with the
 * value 1, so `increase()` never sees that kill. A counter reset (agent restart) counts as 0.
 */
export const grewWithin = (series: string, window: string): string =>
  `(clamp_min(${series} - ${series} offset ${window}, 0) or (${series} unless ${series} offset ${window}))`

/** A counter's per-second rate over Grafana's safe window for the scrape interval. */
export const rate = (series: string): string => `rate(${series}[$__rate_interval])`
