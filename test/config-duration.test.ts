import t from 'tap'
import { formatDuration, parseDuration } from '../agent/config.js'

t.test('parseDuration accepts Go-style durations', async (t) => {
  const cases: [string, number | undefined][] = [
    ['500ms', 500],
    ['2s', 2000],
    ['1m', 60_000],
    ['1h', 3_600_000],
    ['1m30s', 90_000],
    ['1.5s', 1500],
    ['', undefined],
    ['5', undefined],
    ['5x', undefined],
    ['s', undefined],
    ['1s ', undefined],
    ['-1s', undefined],
  ]
  for (const [text, want] of cases) t.equal(parseDuration(text), want, JSON.stringify(text))
})

t.test('formatDuration picks the largest whole unit', async (t) => {
  t.equal(formatDuration(500), '500ms')
  t.equal(formatDuration(5000), '5s')
  t.equal(formatDuration(120_000), '2m')
  t.equal(formatDuration(7_200_000), '2h')
})
