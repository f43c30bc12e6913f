import t from 'tap'
import { busyWarning, count, errorSummary, markdownTable, mb, ms, percent, round, table, times, verdict } from '../../bench/format.js'

t.test('a figure that was not measured prints n/a, never NaN or undefined', async (t) => {
  for (const f of [ms, mb, times, count, percent]) {
    t.equal(f(NaN), 'n/a', f.name)
    t.equal(f(undefined), 'n/a', f.name)
    t.equal(f(Infinity), 'n/a', f.name)
  }
  t.equal(round(NaN), null)
  t.equal(verdict(NaN, 1), 'not measured')
})

t.test('units and precision', async (t) => {
  t.equal(ms(9.134), '9.13 ms')
  t.equal(ms(27.71), '27.7 ms')
  t.equal(ms(9.99999), '10.0 ms', 'precision after rounding')
  t.equal(mb(71_100_000), '71.1 MB')
  t.equal(times(1.2449), '1.24x')
  t.equal(count(700), '700')
  t.equal(percent(0.443), '44%')
  t.equal(round(1.23456, 2), 1.23)
})

t.test('verdict: at most the limit meets it', async (t) => {
  t.equal(verdict(64e6, 64e6), 'meets target')
  t.equal(verdict(64e6 + 1, 64e6), 'MISSES target')
})

t.test('table pads each column to its widest cell and trims line ends', async (t) => {
  const text = table(
    ['figure', 'v1', 'target'],
    [
      ['cycle', '9.13 ms', '<= 1.3x'],
      ['a longer label', '1 ms', ''],
    ],
  )
  t.equal(
    text,
    [
      'figure          v1       target',
      '--------------  -------  -------',
      'cycle           9.13 ms  <= 1.3x',
      'a longer label  1 ms',
    ].join('\n'),
  )
})

t.test('markdownTable escapes pipes and fills missing cells', async (t) => {
  t.equal(markdownTable(['a', 'b'], [['x|y']]), ['| a | b |', '|---|---|', '| x\\|y |  |'].join('\n'))
})

t.test('errorSummary keeps the first line and the line naming the cause', async (t) => {
  t.equal(errorSummary('v2 agent process: not ready\nsome log\nError: EADDRINUSE\nmore'), 'v2 agent process: not ready Error: EADDRINUSE')
  t.equal(errorSummary('one line'), 'one line')
})

t.test('busyWarning only when the load exceeds three quarters of the cores', async (t) => {
  t.same(busyWarning(1, 1.4, 2), [])
  t.match(busyWarning(3.9, 3.7, 2)[0] ?? '', /load average 3.9 before, 3.7 after, on 2 cores/)
  t.same(busyWarning(NaN, NaN, 2), [], 'no /proc/loadavg: no warning')
})
