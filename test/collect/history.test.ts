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
