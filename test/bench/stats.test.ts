import t from 'tap'
import { linearFit, max, median, min, quantile, ratio } from '../../bench/stats.js'

t.test('median of odd and even counts, unsorted input left as it was', async (t) => {
  const input = [5, 1, 3]
  t.equal(median(input), 3)
  t.same(input, [5, 1, 3], 'input not sorted in place')
  t.equal(median([4, 1, 3, 2]), 2.5)
  t.equal(median([7]), 7)
  t.ok(Number.isNaN(median([])), 'no samples: NaN, not 0')
})

t.test('quantile is the nearest rank', async (t) => {
  const hundred = Array.from({ length: 100 }, (_v, i) => i + 1)
  t.equal(quantile(hundred, 0.99), 99)
  t.equal(quantile(hundred, 0.5), 50)
  t.equal(quantile(hundred, 1), 100)
  t.equal(quantile(hundred, 0), 1)
  const fiveHundred = Array.from({ length: 500 }, (_v, i) => 500 - i)
  t.equal(quantile(fiveHundred, 0.99), 495, 'the p99 of 500 samples is the 495th smallest')
  t.ok(Number.isNaN(quantile([], 0.99)))
})

t.test('min, max and ratio say NaN when there is nothing to say', async (t) => {
  t.equal(max([1, 9, 3]), 9)
  t.equal(min([4, 2, 8]), 2)
  t.ok(Number.isNaN(max([])))
  t.ok(Number.isNaN(min([])))
  t.equal(ratio(3, 2), 1.5)
  t.ok(Number.isNaN(ratio(1, 0)))
  t.ok(Number.isNaN(ratio(NaN, 2)))
  t.ok(Number.isNaN(ratio(1, NaN)))
})

t.test('linearFit finds the fixed part and the growth', async (t) => {
  const fit = linearFit([
    [200, 12],
    [1000, 28],
    [2500, 58],
  ])
  t.equal(Number(fit.slope.toFixed(6)), 0.02)
  t.equal(Number(fit.intercept.toFixed(6)), 8)
  const noisy = linearFit([
    [0, 1],
    [1, 3],
    [2, 5.5],
  ])
  t.ok(noisy.slope > 2 && noisy.slope < 2.5, 'least squares, not two points')
  t.ok(Number.isNaN(linearFit([[100, 5]]).slope), 'one size: no line')
  t.ok(
    Number.isNaN(
      linearFit([
        [100, 5],
        [100, 6],
      ]).slope,
    ),
    'one distinct size: no line',
  )
  t.equal(
    linearFit([
      [1, 1],
      [2, NaN],
      [3, 3],
    ]).slope,
    1,
    'unmeasured points are left out',
  )
})
