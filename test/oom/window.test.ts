import t from 'tap'
import { RATE_SPAN_MS, maxOf, sumOf, windowStats } from '../../agent/oom/window.js'
import { MiB, sample } from '../fixtures/oom-samples.js'

t.test('empty', async (t) => {
  t.same(windowStats([]), { samples: 0 })
})

t.test('peaks and the sample before the kill', async (t) => {
  const w = windowStats([
    sample(0, { usage: 100, limit: 256, anon: 1, cache: 99, dirty: 40, writeback: 0 }, { limitHits: 0, oomKills: 0 }),
    sample(1000, { usage: 250, limit: 256, anon: 1, cache: 249, dirty: 20, writeback: 100 }, { limitHits: 300, oomKills: 0 }),
    sample(2000, { usage: 255, limit: 256, anon: 1, cache: 254, dirty: 0, writeback: 0 }, { limitHits: 900, oomKills: 0 }),
    sample(2250, { usage: 200, limit: 256, anon: 0, cache: 200, dirty: 0, writeback: 0 }, { limitHits: 1000, oomKills: 1 }),
  ])
  t.equal(w.samples, 4)
  t.equal(w.spanSeconds, 2.25)
  t.equal(w.atKill?.atMs, 2000, 'the last sample before oom_kill moved')
  t.equal(w.limitBytes, 256 * MiB)
  t.equal(w.peakUsageBytes, 255 * MiB)
  t.equal(w.peakDirtyWritebackBytes, 120 * MiB, 'dirty + writeback of one sample, not the two peaks added')
  t.equal(w.peakAnonBytes, 1 * MiB)
  t.equal(w.limitHits, 1000)
  t.equal(w.peakLimitHitsPerSecond, 600, 'over spans of at least a second')
  t.equal(w.peakShmemBytes, undefined, 'never measured: absent')
  t.equal(w.peakKernelBytes, undefined)
})

t.test('samples out of order are sorted; no kill seen: the last sample', async (t) => {
  const w = windowStats([sample(2000, { usage: 3 }), sample(0, { usage: 1 }), sample(1000, { usage: 2 })])
  t.equal(w.atKill?.atMs, 2000)
  t.equal(w.limitHits, undefined)
  t.equal(w.peakLimitHitsPerSecond, undefined)
})

t.test('two kills in the window: the sample before the last one', async (t) => {
  const w = windowStats([
    sample(0, { usage: 1 }, { oomKills: 0 }),
    sample(100, { usage: 2 }, { oomKills: 1 }),
    sample(200, { usage: 3 }, { oomKills: 1 }),
    sample(300, { usage: 4 }, { oomKills: 2 }),
  ])
  t.equal(w.atKill?.atMs, 200)
})

t.test('limit-hit rates', async (t) => {
  const burst = [0, 250, 500, 750, 1000, 1250].map((ms, i) => sample(ms, {}, { limitHits: [0, 0, 50, 50, 50, 50][i] }))
  t.equal(windowStats(burst).peakLimitHitsPerSecond, 50, '50 hits inside 250 ms count as 50/s over the span, not 200/s')
  t.equal(windowStats(burst).limitHits, 50)

  const short = [sample(0, {}, { limitHits: 10 }), sample(200, {}, { limitHits: 30 })]
  t.equal(windowStats(short).peakLimitHitsPerSecond, 100, 'a window shorter than the span: its one rate')
  t.ok(RATE_SPAN_MS > 200)

  const reset = [
    sample(0, {}, { limitHits: 5000 }),
    sample(1000, {}, { limitHits: 5100 }),
    sample(2000, {}, { limitHits: 3 }),
    sample(3000, {}, { limitHits: 53 }),
  ]
  const r = windowStats(reset)
  t.equal(r.limitHits, 150, 'the drop of a new cgroup is not counted')
  t.equal(r.peakLimitHitsPerSecond, 100, 'no rate spans the reset')

  const gaps = [sample(0, {}, { limitHits: 0 }), sample(1000, {}, {}), sample(2000, {}, { limitHits: 400 })]
  t.equal(windowStats(gaps).peakLimitHitsPerSecond, 200, 'a sample without the counter is skipped')
  t.equal(windowStats(gaps).limitHits, 400)
  t.equal(
    windowStats([sample(0, {}, { limitHits: 1 }), sample(0, {}, { limitHits: 9 })]).peakLimitHitsPerSecond,
    undefined,
    'no time, no rate',
  )
})

t.test('maxOf and sumOf keep absent apart from 0', async (t) => {
  t.equal(maxOf(), undefined)
  t.equal(maxOf(undefined, 3, 1), 3)
  t.equal(maxOf(-1, undefined), -1)
  t.equal(sumOf(undefined, undefined), undefined)
  t.equal(sumOf(undefined, 0), 0)
  t.equal(sumOf(1, undefined, 2), 3)
})
