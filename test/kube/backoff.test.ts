import t from 'tap'
import { Backoff, DEFAULT_BACKOFF } from '../../agent/kube/backoff.js'

t.test('defaults: 1 s doubling to a 60 s cap', async (t) => {
  const b = new Backoff(DEFAULT_BACKOFF, () => 0.5) // 0.5: no jitter
  const delays = Array.from({ length: 10 }, () => b.next())
  t.same(delays, [1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000, 60000])
  b.reset()
  t.equal(b.next(), 1000, 'reset starts over')
})

t.test('jitter spreads each delay by ±20%', async (t) => {
  const cases: [number, number][] = [
    [0, 800],
    [0.25, 900],
    [0.5, 1000],
    [0.75, 1100],
    [0.999999, 1200],
  ]
  for (const [r, want] of cases) t.equal(new Backoff(DEFAULT_BACKOFF, () => r).next(), want, `random ${r}`)
  const capped = new Backoff(DEFAULT_BACKOFF, () => 0)
  for (let i = 0; i < 20; i++) capped.next()
  t.equal(capped.next(), 48000, 'jitter applies at the cap too, so agents stay spread out')
})

t.test('never overflows however long the outage', async (t) => {
  const b = new Backoff({ initialMs: 1, maxMs: 10, factor: 10, jitter: 0 }, () => 0.5)
  let last = 0
  for (let i = 0; i < 5000; i++) last = b.next()
  t.equal(last, 10)
})
