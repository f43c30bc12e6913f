import t from 'tap'
import type { SizeCost } from '../../../bench/cost/measure.js'
import { costGoals, costTable, growthLines, MISS_MARK } from '../../../bench/cost/report.js'
import { FLOOR } from '../floor-fixture.js'

const floor = FLOOR

const rowOf = (text: string, label: string): string => text.split('\n').find((l) => l.startsWith(label)) ?? ''

const size = (cgroups: number, serveCpu: number, rss: number): SizeCost => ({
  version: 'v2',
  cgroups,
  pods: cgroups / 5,
  // The whole pass at 1 ms per 100 cgroups, the memory files alone at 0.6 ms.
  floor: { ...floor, cpuMedianMs: cgroups / 100, memoryCpuMedianMs: (cgroups / 100) * 0.6 },
  inProcess: { cpuMedianMs: cgroups / 80, wallMedianMs: 1, cycles: 10 },
  serve: {
    readyMs: 1,
    warmupMs: 20_000,
    windowMs: 10_000,
    collections: 10,
    scrapes: 3,
    cpuMs: serveCpu * 10,
    cpuPerCollectionMs: serveCpu,
    scrapeCpuMs: cgroups / 50,
    coreShare: 0.01,
    peakRssBytes: rss,
    rssBytes: rss,
    namedPods: 0,
    warnings: 0,
  },
})

t.test('the cost table marks what misses its goal, and the growth is a line through the sizes', async (t) => {
  const sizes = [size(200, 2.5, 60e6), size(1000, 12, 70e6), size(2500, 30, 85e6)]
  const text = costTable(sizes, 100)
  const first = rowOf(text, '200 ')
  t.match(first, /2\.50 ms 1\.25x /, 'serve at 1.25x the floor')
  t.notMatch(first, /1\.25x \*/, 'within 1.5x: not marked')
  t.match(first, /60\.0 MB\s/)
  t.match(rowOf(text, '1000 '), `12.0 ms 1.20x`)
  t.match(rowOf(text, '2500 '), `85.0 MB${MISS_MARK}`, 'over 64 MB: marked')
  t.match(first, /n\/a\s+4\.00 ms\s+60\.0 MB\s+n\/a$/, 'no Kubernetes run: n/a; the scrape beside it')
  t.match(first, /^200\s+2\.00 ms\s+1\.20 ms\s+2\.50 ms 1\.25x/, 'both floors; the ratio is against the whole pass, not the memory files')
  const header = text.split('\n')[0] ?? ''
  t.ok(
    header.indexOf('C floor CPU/pass') < header.indexOf('C floor, memory files only'),
    'the whole pass first, the memory files beside it',
  )
  const growth = growthLines(sizes).join('\n')
  t.match(growth, /C floor CPU\s+0\.00 ms \+ 10\.0 ms per 1,000 cgroups/)
  t.match(growth, /C floor, memory files only\s+0\.00 ms \+ 6\.00 ms per 1,000 cgroups/)
  t.match(growth, /serve \+ names\s+n\/a \(needs two sizes\)/)
  t.match(growth, /one gzip scrape\s+0\.00 ms \+ 20\.0 ms per 1,000 cgroups/)
})

t.test('the goal names the floor it is against, nobody scraping, and what a scrape adds', async (t) => {
  const goal = costGoals(100, 15)
  t.match(goal, /1\.5x the C floor's CPU per pass \(the whole pass/)
  t.match(goal, /with nobody scraping/)
  t.match(goal, /plus one scrape's CPU \/ 15/)
})

t.test("serve is against the floor run beside it; the size's floor stands in where that one failed", async (t) => {
  const base = size(200, 2.5, 60e6)
  const besideFloor = { ...floor, cpuMedianMs: 1.25, memoryCpuMedianMs: 1 }
  const withBeside: SizeCost = { ...base, serve: { ...(base.serve as NonNullable<SizeCost['serve']>), floorBeside: besideFloor } }
  const row = rowOf(costTable([withBeside], 100), '200 ')
  t.match(row, /1\.25 ms \(n\/a\)\s+2\.50 ms 2\.00x \*/, 'the floor beside it, 1.25 ms: 2.00x, over the goal')
  t.match(rowOf(costTable([base], 100), '200 '), /n\/a \(n\/a\)\s+2\.50 ms 1\.25x /, 'no floor beside: the back-to-back one, 2.00 ms')
  t.match(growthLines([withBeside, { ...withBeside, cgroups: 1000 }]).join('\n'), /C floor beside serve\s+1\.25 ms \+ 0\.00 ms/)
})
