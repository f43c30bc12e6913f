import t from 'tap'
import { container, pod, snapshot } from './snapshot-fixture.js'
import type { SnapshotJson } from '../../agent/expose/snapshot-json.js'
import {
  formatBytes,
  formatPercent,
  joinFitting,
  padEnd,
  padStart,
  printable,
  textWidth,
  truncateEnd,
  truncateMiddle,
  wrap,
} from '../../agent/cli/format.js'
import {
  SORT_KEYS,
  formatOom,
  isSortKey,
  numericWidth,
  isTableKind,
  renderSummary,
  renderTable,
  renderTableLines,
  shortName,
  sortRows,
  tableColumns,
  tableRows,
  type SortKey,
} from '../../agent/cli/table.js'

const Ki = 1024
const Mi = 1024 * Ki
const Gi = 1024 * Mi

const web = container(
  { namespace: 'shop', pod: 'web-7d9f', container: 'nginx' },
  {
    usageBytes: 700 * Mi,
    workingSetBytes: 580 * Mi,
    rssBytes: 100 * Mi,
    cacheBytes: 600 * Mi,
    dirtyBytes: 12 * Mi,
    writebackBytes: 0,
    limitBytes: 1 * Gi,
  },
  { processesRssBytes: 90 * Mi, oomKills: 0 },
)
const db = container(
  { namespace: 'shop', pod: 'db-0', container: 'postgres' },
  { workingSetBytes: 1.2 * Gi, rssBytes: 900 * Mi, cacheBytes: 300 * Mi, dirtyBytes: 1 * Mi, writebackBytes: 512 * Ki },
  { processesRssBytes: 880 * Mi, oomKills: 1 },
)
// A writer at its limit in dirty pages: the working set (inactive dirty pages left out) says 50%.
const batch = container(
  { namespace: 'jobs', pod: 'etl-x', container: 'etl' },
  { usageBytes: 99.5 * Mi, workingSetBytes: 50 * Mi, rssBytes: 950 * Mi, cacheBytes: 2 * Gi, dirtyBytes: 300 * Mi, limitBytes: 100 * Mi },
  { processesRssBytes: 2 * Mi, oom: { kills: 2, lastCause: 'dirty_page_cache' }, oomKills: 0 },
)
const blank = container({ namespace: 'jobs', pod: 'new-pod', container: 'init' }, {})
const fixture = snapshot([web, batch, blank, db])

function names(snap: SnapshotJson, sort: SortKey, reverse = false, kind?: 'containers' | 'pods'): string[] {
  return sortRows(tableRows(snap, kind), sort, reverse).map((r) => r.name)
}

/** The cells of a data row, split on runs of spaces (names in the fixture have none). */
function cells(line: string): string[] {
  return line.trim().split(/ +/)
}

t.test('formatBytes', async (t) => {
  const cases: [number | null | undefined, string][] = [
    [null, '-'],
    [undefined, '-'],
    [Number.NaN, '-'],
    [Number.POSITIVE_INFINITY, '-'],
    [0, '0'],
    [1, '1'],
    [512, '512'],
    [1023, '1023'],
    [1024, '1Ki'],
    [1536, '1.5Ki'],
    [512 * Ki, '512Ki'],
    [1023.7 * Ki, '1Mi'],
    [580 * Mi, '580Mi'],
    [9.96 * Mi, '10Mi'],
    [1.2 * Gi, '1.2Gi'],
    [1 * Gi, '1Gi'],
    [3 * 1024 * Gi, '3Ti'],
    [2 ** 63, '8Ei'],
    [-2 * Mi, '-2Mi'],
  ]
  for (const [input, want] of cases) t.equal(formatBytes(input), want, `formatBytes(${String(input)})`)
  t.ok(textWidth(formatBytes(1023 * Mi)) <= 6, 'the widest value fits the column')
})

t.test('formatPercent', async (t) => {
  const cases: [number | null, number | null, string][] = [
    [null, 100, '-'],
    [50, null, '-'],
    [null, null, '-'],
    [10, 0, '-'],
    [0, 100, '0%'],
    [0.5, 100, '<1%'],
    [50, 100, '50%'],
    [99.7, 100, '99%'],
    [100, 100, '100%'],
    [250, 100, '250%'],
    [20000, 100, '>999%'],
  ]
  for (const [part, whole, want] of cases) t.equal(formatPercent(part, whole), want, `${part}/${whole}`)
})

t.test('truncation and padding', async (t) => {
  const cases: [string, number, string, string][] = [
    // input, width, truncateEnd, truncateMiddle
    ['abcdef', 10, 'abcdef', 'abcdef'],
    ['abcdef', 6, 'abcdef', 'abcdef'],
    ['abcdef', 5, 'abcd…', 'ab…ef'],
    ['abcdefg', 4, 'abc…', 'ab…g'],
    ['abcdef', 1, '…', '…'],
    ['abcdef', 0, '', ''],
    ['kube-system/coredns-5d78c9869d-abcde/coredns', 20, 'kube-system/coredns…', 'kube-syste…e/coredns'],
  ]
  for (const [s, w, end, middle] of cases) {
    t.equal(truncateEnd(s, w), end, `truncateEnd(${s}, ${w})`)
    t.equal(truncateMiddle(s, w), middle, `truncateMiddle(${s}, ${w})`)
    t.ok(textWidth(truncateMiddle(s, w)) <= w)
  }
  t.equal(padEnd('ab', 5), 'ab   ')
  t.equal(padEnd('abcdef', 4), 'abc…')
  t.equal(padEnd('abcdef', 4, 'middle'), 'ab…f')
  t.equal(padStart('12Mi', 6), '  12Mi')
  t.equal(padStart('1234567', 6), '12345…')
  t.equal(textWidth('a…b'), 3, 'the ellipsis is one column')
  t.equal(printable('evil\u001b[2Jname\n'), 'evil?[2Jname?', 'control characters cannot reach the terminal')
  t.equal(joinFitting(['aaaa', 'bb', 'cc'], 8), 'aaaa  bb', 'drops whole trailing parts')
  t.equal(joinFitting(['aaaaaaaaaa', 'bb'], 6), 'aaaaa…', 'truncates the first part')
  t.same(wrap('the quick brown fox jumps over', 14, '- ', '  '), ['- the quick', '  brown fox', '  jumps over'], 'a hanging indent')
  t.same(wrap('a  b\nc', 80), ['a b c'], 'whitespace runs collapse')
  t.same(wrap('x kernel\u00a03.5\u00a0MiB', 15, '', ''), ['x', 'kernel 3.5 MiB'], 'no break at a no-break space')
  t.same(wrap('abcdefghijkl', 6, '> '), ['> abcd', '  efgh', '  ijkl'], 'a word longer than a line is cut')
  t.same(wrap('', 10, 'x '), ['x'])
  for (const w of [1, 5, 9]) for (const l of wrap('aaa bbbbbbbbbbbbb c', w, '  ')) t.ok(textWidth(l) <= w, `wrap width ${w}: ${l}`)
})

/** A row's cells by header: the OOM cell (`2 dirty`) holds a space, so cut at the header's columns. */
function rowCells(lines: { header: string; rows: readonly string[] }, name: string): Record<string, string> {
  const row = lines.rows.find((l) => l.startsWith(name)) ?? ''
  const rowName = cells(row)[0] ?? ''
  const out: Record<string, string> = {}
  const headers = [...lines.header.matchAll(/\S+/g)]
  headers.forEach((h, i) => {
    const before = headers[i - 1]
    const start = Math.max(rowName.length, before === undefined ? 0 : before.index + before[0].length)
    out[h[0]] = i === 0 ? rowName : row.slice(start, h.index + h[0].length).trim()
  })
  return out
}

t.test('absent values print as -, zero as 0', async (t) => {
  const lines = renderTableLines(fixture, { width: 100, sort: 'wset' })
  t.same(cells(lines.header), ['NAME', 'WSET', 'RSS', 'PRSS', 'CACHE', 'DIRTY', 'WRBACK', 'LIMIT', '%LIM', 'OOM'])
  t.same(Object.values(rowCells(lines, 'jobs/new-pod/init')), ['jobs/new-pod/init', '-', '-', '-', '-', '-', '-', '-', '-', '-'])
  t.same(Object.values(rowCells(lines, 'shop/web-7d9f/nginx')), [
    'shop/web-7d9f/nginx',
    '580Mi',
    '100Mi',
    '90Mi',
    '600Mi',
    '12Mi',
    '0',
    '1Gi',
    '68%',
    '0',
  ])
  t.same(
    Object.values(rowCells(lines, 'shop/db-0/postgres')),
    ['shop/db-0/postgres', '1.2Gi', '900Mi', '880Mi', '300Mi', '1Mi', '512Ki', '-', '-', '1'],
    'no limit: LIMIT and %LIM are -; a kill memlens did not explain is a bare count',
  )
  t.same(Object.values(rowCells(lines, 'jobs/etl-x/etl')), [
    'jobs/etl-x/etl',
    '50Mi',
    '950Mi',
    '2Mi',
    '2Gi',
    '300Mi',
    '-',
    '100Mi',
    '99%',
    '2 dirty',
  ])
})

t.test('%LIM is usage over the limit, not the working set', async (t) => {
  // v1: a writer's fresh dirty pages sit on the inactive list, outside the working set.
  const writer = container(
    { namespace: 'cdi', pod: 'importer', container: 'importer' },
    { usageBytes: 243 * Mi, workingSetBytes: 8 * Mi, dirtyBytes: 200 * Mi, limitBytes: 256 * Mi },
  )
  const lines = renderTableLines(snapshot([writer]), { width: 80, sort: 'pct' })
  t.equal(rowCells(lines, 'cdi/')['%LIM'], '94%')
  t.equal(tableRows(snapshot([writer]))[0]?.pct, 243 / 256)
  const noUsage = container({ namespace: 'a', pod: 'b', container: 'c' }, { workingSetBytes: 8 * Mi, limitBytes: 256 * Mi })
  t.equal(tableRows(snapshot([noUsage]))[0]?.pct, null, 'no usage, no percentage: the working set does not stand in')
})

t.test('the OOM column', async (t) => {
  const cases: [number | null, Parameters<typeof formatOom>[1], string][] = [
    [null, null, '-'],
    [0, null, '0'],
    [3, null, '3'],
    [1, 'dirty_page_cache', '1 dirty'],
    [2, 'page_cache', '2 cache'],
    [12, 'anon', '12 anon'],
    [99, 'shmem', '99 shmem'],
    [100, 'shmem', '99+ shmem'],
    [4, 'kernel', '4 kern'],
    [1, 'unknown', '1 unkn'],
  ]
  for (const [kills, cause, want] of cases) {
    t.equal(formatOom(kills, cause), want, `${kills} ${cause}`)
    t.ok(textWidth(want) <= 9, 'fits the column')
  }
  t.same(
    names(fixture, 'oom'),
    ['jobs/etl-x/etl', 'shop/db-0/postgres', 'shop/web-7d9f/nginx', 'jobs/new-pod/init'],
    'explained kills count over the kernel counter',
  )
})

t.test('columns drop by width, least telling first', async (t) => {
  const all = ['WSET', 'RSS', 'PRSS', 'CACHE', 'DIRTY', 'WRBACK', 'LIMIT', '%LIM', 'OOM']
  t.same(tableColumns(132), all)
  t.same(tableColumns(85), all, 'NAME keeps 20 columns with all of them')
  t.same(
    tableColumns(84),
    all.filter((c) => c !== 'CACHE'),
  )
  t.same(tableColumns(80), ['WSET', 'RSS', 'PRSS', 'DIRTY', 'WRBACK', 'LIMIT', '%LIM', 'OOM'])
  t.same(tableColumns(71), ['WSET', 'RSS', 'PRSS', 'DIRTY', 'LIMIT', '%LIM', 'OOM'])
  t.same(tableColumns(70), ['WSET', 'RSS', 'PRSS', 'DIRTY', '%LIM', 'OOM'])
  t.same(tableColumns(60), ['WSET', 'RSS', 'PRSS', 'DIRTY', '%LIM', 'OOM'])
  t.same(tableColumns(20), ['WSET', 'RSS', 'PRSS', 'DIRTY', '%LIM', 'OOM'], 'never fewer: narrower lines are clipped')
  t.same(cells(renderTableLines(fixture, { width: 80, sort: 'wset' }).header), ['NAME', ...tableColumns(80)])
})

t.test('numeric columns line up under their headers', async (t) => {
  const lines = renderTableLines(fixture, { width: 80, sort: 'wset' })
  for (const row of lines.rows) {
    t.equal(row.length, lines.header.length, `right edge of ${row}`)
  }
})

t.test('sort orders', async (t) => {
  t.same(SORT_KEYS, ['wset', 'rss', 'prss', 'cache', 'dirty', 'writeback', 'limit', 'pct', 'oom', 'name'])
  const n = { web: 'shop/web-7d9f/nginx', db: 'shop/db-0/postgres', batch: 'jobs/etl-x/etl', blank: 'jobs/new-pod/init' }
  t.same(names(fixture, 'wset'), [n.db, n.web, n.batch, n.blank], 'largest working set first, absent last')
  t.same(names(fixture, 'wset', true), [n.batch, n.web, n.db, n.blank], 'reverse: smallest first, absent still last')
  t.same(names(fixture, 'rss'), [n.batch, n.db, n.web, n.blank])
  t.same(names(fixture, 'prss'), [n.db, n.web, n.batch, n.blank], 'what ps adds up to')
  t.same(names(fixture, 'cache'), [n.batch, n.web, n.db, n.blank])
  t.same(names(fixture, 'dirty'), [n.batch, n.web, n.db, n.blank])
  t.same(names(fixture, 'writeback'), [n.db, n.web, n.batch, n.blank], 'a real 0 sorts before absent values')
  t.same(names(fixture, 'limit'), [n.web, n.batch, n.blank, n.db], 'ties among absent values break by name')
  t.same(names(fixture, 'pct'), [n.batch, n.web, n.blank, n.db], 'usage over the limit')
  t.same(names(fixture, 'pct', true), [n.web, n.batch, n.blank, n.db])
  t.same(names(fixture, 'name'), [n.batch, n.blank, n.db, n.web], 'names A to Z')
  t.same(names(fixture, 'name', true), [n.web, n.db, n.blank, n.batch])
  // The table itself follows the sort.
  const rows = renderTableLines(fixture, { width: 80, sort: 'rss' }).rows
  t.same(
    rows.map((r) => cells(r)[0]),
    [n.batch, n.db, n.web, n.blank],
  )
})

const longNames = snapshot([
  container(
    {
      namespace: 'observability-platform-production',
      pod: 'prometheus-kube-prometheus-stack-prometheus-0',
      container: 'config-reloader-sidecar',
    },
    {
      workingSetBytes: 1023 * Mi,
      rssBytes: 1023 * Mi,
      cacheBytes: 1023 * Mi,
      dirtyBytes: 1023 * Mi,
      writebackBytes: 1023 * Mi,
      limitBytes: 1023 * Gi,
    },
    { processesRssBytes: 1023 * Mi, oom: { kills: 1234, lastCause: 'shmem' } },
  ),
  web,
  blank,
])

t.test('every line fits the width, long names truncated in the middle', async (t) => {
  for (const width of [80, 60, 100, 132, 40, 20]) {
    const text = renderTable(longNames, { width, sort: 'wset' })
    t.ok(text.endsWith('\n'))
    const lines = text.slice(0, -1).split('\n')
    t.equal(lines.length, 2 + 3, 'summary, header, three rows')
    for (const line of lines) t.ok(textWidth(line) <= width, `width ${width}: ${JSON.stringify(line)}`)
  }
  const rows = renderTableLines(longNames, { width: 80, sort: 'wset' }).rows
  const long = rows[0] ?? ''
  t.equal(textWidth(long), 80, 'a long name uses the whole 80 columns')
  t.match(long, /^observabili…er-sidecar 1023Mi /, 'both ends of the name stay')
  t.match(long, / 99\+ shmem$/, 'the widest OOM cell fits')
  t.equal(80 - numericWidth(80), 22, 'NAME gets 22 columns on an 80-column terminal')

  const wide = renderTableLines(longNames, { width: 200, sort: 'wset' }).rows[0] ?? ''
  t.match(
    wide,
    /^observability-platform-production\/prometheus-kube-prometheus-stack-prometheus-0\/config-reloader-sidecar /,
    'a wide terminal shows the whole name',
  )
  const fullName = 'observability-platform-production/prometheus-kube-prometheus-stack-prometheus-0/config-reloader-sidecar'
  t.equal(textWidth(wide), fullName.length + numericWidth(200), 'NAME is no wider than the longest name')
})

t.test('pods vs containers', async (t) => {
  const snap = snapshot([web, db], {
    pods: [
      pod({ namespace: 'shop', pod: 'web-7d9f', id: '/kubepods/burstable/podaaa' }, { workingSetBytes: 600 * Mi, dirtyBytes: 12 * Mi }),
      pod({ namespace: 'shop', pod: 'db-0', id: '/kubepods/burstable/podbbb' }, { workingSetBytes: 2 * Gi, writebackBytes: 1 * Mi }),
      pod(
        {
          id: '/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod0a1b2c3d_4e5f_6789_abcd_ef0123456789.slice',
          podUid: '0a1b2c3d-4e5f-6789-abcd-ef0123456789',
        },
        {},
      ),
    ],
  })
  t.same(names(snap, 'wset', false, 'pods'), ['shop/db-0', 'shop/web-7d9f', 'pod0a1b2c3d'])
  t.same(names(snap, 'wset'), ['shop/db-0/postgres', 'shop/web-7d9f/nginx'])
  const text = renderTable(snap, { width: 80, sort: 'wset', kind: 'pods' })
  t.match(text, /^cgroup v2, kubernetes, 3 pods  wset 2\.6Gi  dirty 12Mi  writeback 1Mi  05:06:07Z\n/)
  t.notMatch(text, /postgres/)
  t.match(renderTable(snapshot([]), { width: 80, sort: 'wset' }), /\(no containers\)\n$/)
  t.match(renderSummary(snapshot([web]), { width: 80 }), /, 1 container  /, 'singular for one')
})

t.test('summary: totals of absent values are absent, and it fits', async (t) => {
  t.match(renderSummary(snapshot([blank]), { width: 80 }), /wset -  dirty -  writeback -/)
  t.equal(renderSummary(fixture, { width: 80 }), 'cgroup v2, kubernetes, 4 containers  wset 1.8Gi  dirty 313Mi  writeback 512Ki')
  t.equal(
    renderSummary(fixture, { width: 120 }),
    'cgroup v2, kubernetes, 4 containers  wset 1.8Gi  dirty 313Mi  writeback 512Ki  3 OOM kills  05:06:07Z',
    'kills when there are any',
  )
  t.equal(renderSummary(fixture, { width: 40 }), 'cgroup v2, kubernetes, 4 containers', 'drops whole parts')
})

t.test('names without Kubernetes metadata come from the pod UID and container ID', async (t) => {
  const uid = '0a1b2c3d-4e5f-6789-abcd-ef0123456789'
  const cases: [Parameters<typeof container>[0], string][] = [
    [{ id: '/kubepods/burstable/pod' + uid + '/x', podUid: uid, containerId: 'abcdef0123456789'.repeat(4) }, 'pod0a1b2c3d/abcdef012345'],
    [{ id: '/kubepods/pod' + 'f'.repeat(32) + '/y', podUid: 'f'.repeat(32), containerId: 'a'.repeat(64) }, 'podffffffff/aaaaaaaaaaaa'],
    [{ id: '/kubepods/pod' + uid, podUid: uid }, 'pod0a1b2c3d'],
    [{ id: '/system.slice/containerd.service' }, 'system.slice/containerd.service'],
    [{ id: '/' }, '/'],
  ]
  for (const [ref, want] of cases) t.equal(shortName(container(ref, {})), want, ref.id ?? '')
  t.same(names(snapshot([container(cases[0]?.[0] ?? {}, { workingSetBytes: 1 })]), 'wset'), ['pod0a1b2c3d/abcdef012345'])
  const noContainerName = container(
    { namespace: 'a', pod: 'b', id: '/kubepods/besteffort/podx/' + 'e'.repeat(64), containerId: 'e'.repeat(64) },
    {},
  )
  t.same(names(snapshot([noContainerName]), 'wset'), ['a/b/eeeeeeeeeeee'], 'pod known, container name not yet')
})

t.test('all scope shows the cgroup id', async (t) => {
  const long = '/system.slice/system-getty.slice/very-long-unit-name-for-a-service-that-runs-forever@tty1.service'
  const snap = snapshot(
    [
      container({ id: '/user.slice/user-1000.slice/session-3.scope' }, { workingSetBytes: 3 * Mi }),
      container({ id: long }, { workingSetBytes: 2 * Mi }),
      container({ id: '/evil\u001b]0;pwned\u0007' }, { workingSetBytes: 1 * Mi }),
    ],
    { scope: 'all' },
  )
  const lines = renderTableLines(snap, { width: 80, sort: 'wset' })
  t.match(lines.summary, /^cgroup v2, all, 3 containers/)
  t.match(lines.rows[0] ?? '', /^\/user\.slice…on-3\.scope +3Mi/, 'middle-truncated: root and leaf stay')
  t.match(lines.rows[1] ?? '', /^\/system\.sli…y1\.service +2Mi/)
  const wide = renderTableLines(snap, { width: 170, sort: 'wset' })
  t.match(wide.rows[0] ?? '', /^\/user\.slice\/user-1000\.slice\/session-3\.scope +3Mi/, 'the whole id when there is room')
  t.match(wide.rows[1] ?? '', long + ' ')
  t.match(lines.rows[2] ?? '', /^\/evil\?\]0;pwned\? +1Mi/, 'control characters replaced')
  for (const line of [lines.summary, lines.header, ...lines.rows]) t.ok(textWidth(line) <= 80)
})

t.test('flag guards', async (t) => {
  t.ok(isSortKey('writeback'))
  t.notOk(isSortKey('WSET'))
  t.ok(isTableKind('pods'))
  t.notOk(isTableKind('pod'))
})
