import t from 'tap'
import { parseQuantity } from '../../agent/kube/quantity.js'

t.test('parseQuantity: values rounded up to integers as resource.Quantity.Value() does', async (t) => {
  const cases: [string, number | undefined][] = [
    ['0', 0],
    ['128974848', 128974848],
    ['128Mi', 128 * 2 ** 20],
    ['1Ki', 1024],
    ['1Gi', 2 ** 30],
    ['1.5Gi', 1.5 * 2 ** 30],
    ['0.5Gi', 2 ** 29],
    ['.5Gi', 2 ** 29],
    ['1.Gi', 2 ** 30],
    ['1Ti', 2 ** 40],
    ['1Pi', 2 ** 50],
    ['2Ei', 2 * 2 ** 60],
    ['1k', 1000],
    ['500M', 500e6],
    ['1G', 1e9],
    ['1T', 1e12],
    ['1P', 1e15],
    ['1E', 1e18],
    // Exact arithmetic: in floating point 1.1 × 1e9 is 1100000000.0000002 and would round up.
    ['1.1G', 1_100_000_000],
    ['0.1Gi', 107374183], // 107374182.4 rounds up
    ['1e9', 1e9],
    ['1E9', 1e9],
    ['1e+3', 1000],
    ['1.5e3', 1500],
    ['12e-1', 2], // 1.2 rounds up
    ['100m', 1], // 0.1 byte: kubelet would set 1
    ['1000m', 1],
    ['1001m', 2],
    ['+1Mi', 2 ** 20],
    ['-1Mi', -(2 ** 20)],
    ['-0', 0],
    [' 64Mi ', 64 * 2 ** 20],
  ]
  for (const [text, want] of cases) t.equal(parseQuantity(text), want, JSON.stringify(text))
})

t.test('parseQuantity: malformed text is undefined, never 0', async (t) => {
  const bad = [
    '',
    ' ',
    'Mi',
    '.',
    '+',
    '-Mi',
    '1.2.3',
    '1 Mi',
    '1mi',
    '1MI',
    '1K',
    '1KB',
    '1e',
    '1e+',
    '1E-',
    '1ee3',
    '1e3.5',
    '0x10',
    'abc',
    '1Mi1',
    '1,5Gi',
    '1e1001',
    'NaN',
    'Infinity',
  ]
  for (const text of bad) t.equal(parseQuantity(text), undefined, JSON.stringify(text))
})
