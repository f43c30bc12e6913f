import t from 'tap'
import { History } from '../../agent/collect/history.js'
import type { MemoryReading } from '../../agent/model.js'

const MiB = 1024 * 1024
const reading = (usage: number, dirty: number, writeback: number, inactive = 0): Pick<{ reading: MemoryReading }, 'reading'> => ({
  reading: {
    memory: {
      usageBytes: usage * MiB,
      dirtyBytes: dirty * MiB,
      writebackBytes: writeback * MiB,
      inactiveFileBytes: inactive * MiB,
      unreclaimableBytes: (dirty + writeback) * MiB,
    },
    events: {},
    pressure: {},
  },
})

t.test('peaks hold the highest value of the window, however the counters swing', async (t) => {
  const h = new History(60_000)
  // Dirty + writeback swinging between zero and half the limit, as on a real kernel.
  const swings: [number, number][] = [
    [0, 0],
    [90, 30],
    [0, 0],
    [60, 70],
    [0, 0],
  ]
  swings.forEach(([d, w], i) => h.push('/c', i * 1000, reading(200, d, w, 150)))
  const p = h.peaks('/c', 30_000, 4000)
  t.equal(p?.dirtyWritebackBytes, 130 * MiB, 'the peak, not the last sample (0)')
  t.equal(p?.usageBytes, 200 * MiB)
  t.equal(p?.workingSetBytes, 50 * MiB, 'working set as kubelet computes it')
  t.equal(h.peaks('/c', 1500, 4000)?.dirtyWritebackBytes, 130 * MiB, 'only samples inside the window count')
  t.equal(h.peaks('/c', 500, 4000)?.dirtyWritebackBytes, 0, 'the last sample alone')
  t.equal(h.peaks('/none', 30_000, 4000), undefined, 'no history, no peaks')
})

t.test('absent values stay absent', async (t) => {
  const h = new History(60_000)
  h.push('/c', 0, { reading: { memory: { usageBytes: 5 }, events: {}, pressure: {} } })
  const p = h.peaks('/c', 30_000, 0)
  t.equal(p?.dirtyWritebackBytes, undefined)
  t.equal(p?.unreclaimableBytes, undefined)
  t.equal(p?.usageBytes, 5)
})

t.test('history is bounded in time and forgets cgroups that are gone', async (t) => {
  const h = new History(10_000)
  for (let i = 0; i <= 20; i++) h.push('/c', i * 1000, reading(1, 0, 0))
  t.equal(h.samples('/c').length, 11, 'only the last 10 s')
  t.equal(h.samples('/c')[0]?.atMs, 10_000)
  h.push('/gone', 0, reading(1, 0, 0))
  h.prune(20_000)
  t.equal(h.samples('/gone').length, 0)
  t.equal(h.size, 1)
  t.equal(h.last('/c')?.atMs, 20_000)
})

t.test('the ring keeps exactly the window through growth, wrap-around and shrinking', async (t) => {
  const h = new History(60_000)
  const memoryAt = (i: number): Record<string, number> => ({
    usageBytes: 1000 + i,
    limitBytes: 5000,
    rssBytes: i,
    cacheBytes: 2 * i,
    activeFileBytes: 3 * i,
    inactiveFileBytes: Math.floor(i / 2),
    dirtyBytes: 5 * i,
    writebackBytes: 6 * i,
    shmemBytes: 7 * i,
    kernelBytes: 8 * i,
    unreclaimableBytes: 9 * i,
  })
  const push = (i: number, atMs: number): void =>
    h.push('/c', atMs, {
      reading: {
        // Fields the history does not keep (swap, peak) are left out of what it hands back.
        memory: { ...memoryAt(i), swapBytes: 1, peakBytes: 2 },
        events: i % 2 === 0 ? { limitHits: i, oomKills: 0 } : { limitHits: i },
        pressure: {},
      },
    })
  // Fast sampling: every 250 ms for 100 s, so the ring grows well past its first size and wraps.
  for (let i = 0; i <= 400; i++) push(i, i * 250)
  const kept = h.samples('/c')
  t.equal(kept.length, 241, '60 s at 4 samples a second, both ends included')
  const expected = (i: number): unknown => ({
    atMs: i * 250,
    memory: memoryAt(i),
    events: i % 2 === 0 ? { limitHits: i, oomKills: 0 } : { limitHits: i },
  })
  t.strictSame(kept[0], expected(160), 'the oldest kept')
  t.strictSame(kept[240], expected(400), 'the newest')
  t.strictSame(
    kept.map((s) => s.atMs),
    Array.from({ length: 241 }, (_, k) => (160 + k) * 250),
    'in order, none lost or repeated',
  )
  t.equal(h.last('/c')?.memory.usageBytes, 1400)
  t.equal(h.peaks('/c', 1000, 100_000)?.usageBytes, 1400)
  t.equal(h.peaks('/c', 1000, 100_000)?.dirtyWritebackBytes, 11 * 400)
  t.equal(h.peaks('/c', 1000, 100_000)?.workingSetBytes, 1000 + 400 - 200)
  // Back to one poll a second: the ring shrinks and still holds the right samples.
  for (let s = 1; s <= 120; s++) push(400 + s, 100_000 + s * 1000)
  const later = h.samples('/c')
  t.equal(later.length, 61)
  t.strictSame(later[0], { ...(expected(460) as object), atMs: 160_000 })
  t.strictSame(later[60], { ...(expected(520) as object), atMs: 220_000 })
})

t.test('the ring grows and shrinks while it is wrapped, losing and repeating nothing', async (t) => {
  // 10 s kept: at one push a second the ring fills and wraps at its first capacities; then
  // four a second make it grow while wrapped, and one a second again make it shrink while
  // wrapped. Every sample is checked after every push, so a row lost in a copy shows at once.
  const h = new History(10_000)
  const times: number[] = []
  for (let s = 0; s < 40; s++) times.push(s * 1000)
  for (let q = 1; q <= 80; q++) times.push(39_000 + q * 250)
  for (let s = 1; s <= 60; s++) times.push(59_000 + s * 1000)
  let bad = 0
  for (const [i, at] of times.entries()) {
    h.push('/c', at, { reading: { memory: { usageBytes: i, dirtyBytes: 2 * i }, events: { limitHits: 3 * i }, pressure: {} } })
    const want = times.flatMap((a, k) => (k <= i && a >= at - 10_000 ? [k] : []))
    const kept = h.samples('/c')
    const same =
      kept.length === want.length &&
      kept.every(
        (s, n) =>
          s.atMs === times[want[n] ?? -1] &&
          s.memory.usageBytes === want[n] &&
          s.memory.dirtyBytes === 2 * (want[n] ?? NaN) &&
          s.events.limitHits === 3 * (want[n] ?? NaN),
      )
    if (!same && bad++ === 0) t.fail(`after push ${i} (at ${at} ms) the ring holds ${JSON.stringify(kept.map((s) => s.memory.usageBytes))}`)
  }
  t.equal(bad, 0, 'every push left exactly the window, in order')
})
