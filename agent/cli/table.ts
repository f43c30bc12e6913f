// The snapshot as a terminal table: one row per container (or pod), working set, cgroup RSS and
// the processes' RSS side by side with dirty and writeback pages, how close usage is to the
// limit, and the OOM kills memlens explained; readable on an 80-column terminal.
// Numeric columns have fixed widths so rows line up across redraws; NAME takes what is left.
// On narrow terminals the least telling columns go first (CACHE, then WRBACK, then LIMIT), by
// width alone, so a redraw with other data never changes the layout.
import { SORT_KEYS, type SortKey } from '../config.js'
import type { ContainerJson, OomSummaryJson, PodJson, SnapshotJson } from '../expose/snapshot-json.js'
import { ABSENT, BYTES_WIDTH, clip, formatBytes, formatPercent, joinFitting, padEnd, padStart, printable } from './format.js'

export { SORT_KEYS, type SortKey }

export const TABLE_KINDS = ['containers', 'pods'] as const
export type TableKind = (typeof TABLE_KINDS)[number]

export function isSortKey(s: string): s is SortKey {
  return (SORT_KEYS as readonly string[]).includes(s)
}

export function isTableKind(s: string): s is TableKind {
  return (TABLE_KINDS as readonly string[]).includes(s)
}

/** The width into a pipe: every column, and names in full. */
export const UNLIMITED_WIDTH = Number.POSITIVE_INFINITY

export interface TableOptions {
  /** Terminal columns; no line of the output is wider. UNLIMITED_WIDTH cuts nothing. */
  readonly width: number
  readonly sort: SortKey
  /** Flips the direction: numbers ascending, names descending. Absent values stay last. */
  readonly reverse?: boolean
  readonly kind?: TableKind
}

/** One table row before formatting; null where the snapshot has no value. */
export interface TableRow {
  readonly name: string
  readonly id: string
  readonly wset: number | null
  readonly rss: number | null
  /** The processes' VmRSS sum: what `ps` in the container adds up to. */
  readonly prss: number | null
  readonly cache: number | null
  readonly dirty: number | null
  readonly writeback: number | null
  readonly limit: number | null
  /** usage / limit: usage counts dirty and writeback pages, which the working set may not. */
  readonly pct: number | null
  /** Kills: those memlens explained, else the kernel's oom_kill counter of this cgroup. */
  readonly oom: number | null
  /** The cause of the last explained kill; null when memlens explained none. */
  readonly oomCause: OomSummaryJson['lastCause'] | null
}

type NumericKey = Exclude<SortKey, 'name'>

interface Column {
  readonly header: string
  readonly width: number
  readonly cell: (row: TableRow) => string
  /** Columns without it always show; the others go, lowest first, when NAME gets too narrow. */
  readonly dropOrder?: number
}

const bytesColumn = (header: string, key: NumericKey): Column => ({
  header,
  width: BYTES_WIDTH,
  cell: (row) => formatBytes(row[key]),
})

/** Causes in at most 5 columns, so `99+ shmem` fits the OOM column. */
export const SHORT_CAUSE: Readonly<Record<OomSummaryJson['lastCause'], string>> = {
  dirty_page_cache: 'dirty',
  page_cache: 'cache',
  anon: 'anon',
  shmem: 'shmem',
  kernel: 'kern',
  unknown: 'unkn',
}

/** `2 dirty` for explained kills; a bare count is the kernel's, with no explanation. */
export function formatOom(kills: number | null, cause: OomSummaryJson['lastCause'] | null): string {
  if (kills === null || !Number.isFinite(kills)) return ABSENT
  const count = kills > 99 ? '99+' : String(kills)
  return cause === null ? count : `${count} ${SHORT_CAUSE[cause]}`
}

const COLUMNS: readonly Column[] = [
  bytesColumn('WSET', 'wset'),
  bytesColumn('RSS', 'rss'),
  bytesColumn('PRSS', 'prss'),
  { ...bytesColumn('CACHE', 'cache'), dropOrder: 1 },
  bytesColumn('DIRTY', 'dirty'),
  { ...bytesColumn('WRBACK', 'writeback'), dropOrder: 2 },
  { ...bytesColumn('LIMIT', 'limit'), dropOrder: 3 },
  // '>999%' is the widest formatPercent output.
  { header: '%LIM', width: 5, cell: (row) => (row.pct === null ? ABSENT : formatPercent(row.pct, 1)) },
  { header: 'OOM', width: 9, cell: (row) => formatOom(row.oom, row.oomCause) },
]

const GAP = ' '
/** NAME never gets narrower than this; below it lines are clipped instead. */
const MIN_NAME_WIDTH = 8
/** Optional columns go while NAME would be narrower than this (`ns/pod-7d9f-x/container`). */
const WANTED_NAME_WIDTH = 20

function numericWidthOf(columns: readonly Column[]): number {
  return columns.reduce((sum, c) => sum + GAP.length + c.width, 0)
}

/** The columns shown at a terminal width: all of them where NAME keeps WANTED_NAME_WIDTH. */
function columnsFor(width: number): readonly Column[] {
  let columns = COLUMNS
  const drops = COLUMNS.filter((c) => c.dropOrder !== undefined).sort((a, b) => (a.dropOrder ?? 0) - (b.dropOrder ?? 0))
  for (const drop of drops) {
    if (width - numericWidthOf(columns) >= WANTED_NAME_WIDTH) break
    columns = columns.filter((c) => c !== drop)
  }
  return columns
}

/** The headers right of NAME at a terminal width. */
export function tableColumns(width: number): string[] {
  return columnsFor(width).map((c) => c.header)
}

/** Width of everything right of NAME at a terminal width: each column with the gap before it. */
export function numericWidth(width: number): number {
  return numericWidthOf(columnsFor(width))
}

/**
 * A short name from what discovery already knows: `pod<8 hex of the UID>/<12 hex of the
 * container ID>`, or the last two path segments where it knows neither. The full id stays
 * in `snapshot --json`.
 */
export function shortName(row: PodJson | ContainerJson): string {
  const pod = row.podUid === null ? undefined : `pod${row.podUid.replace(/-/g, '').slice(0, 8)}`
  const container = isContainer(row) && row.containerId !== null ? row.containerId.slice(0, 12) : undefined
  if (pod !== undefined) return container === undefined ? pod : `${pod}/${container}`
  const segments = row.id.split('/').filter((s) => s !== '')
  return segments.length === 0 ? row.id : segments.slice(-2).join('/')
}

function isContainer(row: PodJson | ContainerJson): row is ContainerJson {
  return 'container' in row
}

/** namespace/pod[/container] once the API has named the cgroup; otherwise from its path. */
function rowName(row: PodJson | ContainerJson, snapshot: SnapshotJson): string {
  // Outside Kubernetes the path is the only name there is, and every segment of it counts.
  if (snapshot.scope === 'all') return row.id
  if (row.namespace === null || row.pod === null) return shortName(row)
  if (!isContainer(row)) return `${row.namespace}/${row.pod}`
  // The pod is already named, so only the container's own name or ID adds anything.
  const container = row.container ?? row.containerId?.slice(0, 12) ?? row.id.split('/').pop() ?? row.id
  return `${row.namespace}/${row.pod}/${container}`
}

export function tableRows(snapshot: SnapshotJson, kind: TableKind = 'containers'): TableRow[] {
  const source: readonly (PodJson | ContainerJson)[] = kind === 'pods' ? snapshot.pods : snapshot.containers
  return source.map((row) => {
    const m = row.memory
    return {
      name: printable(rowName(row, snapshot)),
      id: row.id,
      wset: m.workingSetBytes,
      rss: m.rssBytes,
      prss: row.processes?.rssBytes ?? null,
      cache: m.cacheBytes,
      dirty: m.dirtyBytes,
      writeback: m.writebackBytes,
      limit: m.limitBytes,
      // Usage, not the working set: dirty pages a writer just made sit on the inactive list,
      // which the working set leaves out, yet they are what fills the limit.
      pct: m.usageBytes !== null && m.limitBytes !== null && m.limitBytes > 0 ? m.usageBytes / m.limitBytes : null,
      oom: row.oom?.kills ?? row.events.oomKills,
      oomCause: row.oom?.lastCause ?? null,
    }
  })
}

// Code-unit order, not localeCompare: the same input sorts the same on every machine.
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/**
 * Numbers largest first and names A→Z by default; reverse flips either. Absent values go last
 * in both directions, because a row without data is never the answer to "who uses the most"
 * nor to "who uses the least". Ties break by name, then id, so redraws do not shuffle rows.
 */
export function sortRows(rows: readonly TableRow[], sort: SortKey, reverse = false): TableRow[] {
  const sign = reverse ? -1 : 1
  return [...rows].sort((a, b) => {
    let c: number
    if (sort === 'name') {
      c = sign * compareText(a.name, b.name)
    } else {
      const x = a[sort]
      const y = b[sort]
      if (x === null || y === null) c = x === y ? 0 : x === null ? 1 : -1
      else c = sign * (y - x)
    }
    return c !== 0 ? c : compareText(a.name, b.name) || compareText(a.id, b.id)
  })
}

/** The snapshot with its containers and pods in the order the table shows them. */
export function sortSnapshot(snapshot: SnapshotJson, sort: SortKey, reverse = false): SnapshotJson {
  const order = <T extends PodJson>(items: readonly T[], kind: TableKind): T[] => {
    const rows = tableRows(snapshot, kind)
    const item = new Map(rows.map((row, i) => [row, items[i]]))
    return sortRows(rows, sort, reverse).flatMap((row) => item.get(row) ?? [])
  }
  return { ...snapshot, containers: order(snapshot.containers, 'containers'), pods: order(snapshot.pods, 'pods') }
}

function sum(rows: readonly TableRow[], key: NumericKey): number | null {
  let total: number | null = null
  for (const row of rows) {
    const v = row[key]
    if (v !== null) total = (total ?? 0) + v
  }
  return total
}

/** The summary line: hierarchy, scope, row count, totals; drops trailing parts that do not fit. */
export function renderSummary(snapshot: SnapshotJson, opts: Pick<TableOptions, 'width' | 'kind'>): string {
  const kind = opts.kind ?? 'containers'
  const rows = tableRows(snapshot, kind)
  const noun = rows.length === 1 ? kind.slice(0, -1) : kind
  const time = /T(\d\d:\d\d:\d\d)/.exec(snapshot.collectedAt)?.[1]
  // In 'all' scope cgroups nest (a parent's numbers include its children's), so totals
  // would count the same pages several times: show them only for disjoint containers/pods.
  const totals =
    snapshot.scope === 'all'
      ? []
      : [
          `wset ${formatBytes(sum(rows, 'wset'))}`,
          `dirty ${formatBytes(sum(rows, 'dirty'))}`,
          `writeback ${formatBytes(sum(rows, 'writeback'))}`,
        ]
  const kills = sum(rows, 'oom') ?? 0
  if (snapshot.scope !== 'all' && kills > 0) totals.push(`${kills} OOM ${kills === 1 ? 'kill' : 'kills'}`)
  const parts = [
    `cgroup ${snapshot.cgroupVersion}, ${snapshot.scope}, ${rows.length} ${noun}`,
    ...totals,
    time === undefined ? ABSENT : `${time}Z`,
  ]
  return joinFitting(parts, opts.width)
}

export interface TableLines {
  readonly summary: string
  readonly header: string
  /** Every row, sorted; a caller with a height limit slices it. */
  readonly rows: readonly string[]
}

export function renderTableLines(snapshot: SnapshotJson, opts: TableOptions): TableLines {
  const width = Math.max(0, Math.floor(opts.width))
  const kind = opts.kind ?? 'containers'
  const rows = sortRows(tableRows(snapshot, kind), opts.sort, opts.reverse)
  const columns = columnsFor(width)
  const longest = rows.reduce((n, r) => Math.max(n, Array.from(r.name).length), 'NAME'.length)
  // NAME as wide as the longest name when there is room, so wide terminals stay compact.
  const nameWidth = Math.max(MIN_NAME_WIDTH, Math.min(longest, width - numericWidthOf(columns)))
  const line = (name: string, cells: readonly string[]): string =>
    clip(padEnd(name, nameWidth, 'middle') + cells.map((cell, i) => GAP + padStart(cell, columns[i]?.width ?? 0)).join(''), width).trimEnd()
  return {
    summary: renderSummary(snapshot, { width, kind }),
    header: line(
      'NAME',
      columns.map((c) => c.header),
    ),
    rows:
      rows.length === 0
        ? [clip(`(no ${kind})`, width)]
        : rows.map((row) =>
            line(
              row.name,
              columns.map((c) => c.cell(row)),
            ),
          ),
  }
}

/** The whole table as text: summary, header, rows; every line ends with '\n'. */
export function renderTable(snapshot: SnapshotJson, opts: TableOptions): string {
  const t = renderTableLines(snapshot, opts)
  return [t.summary, t.header, ...t.rows].map((l) => l + '\n').join('')
}
