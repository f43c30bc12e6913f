import t from 'tap'
import { ParseError } from '../../agent/errors.js'
import { parseFlatKeyed } from '../../agent/cgroup/parse-flat-keyed.js'
import { parseInteger } from '../../agent/cgroup/parse-number.js'
import { parsePressure } from '../../agent/cgroup/parse-pressure.js'
import { limitOrUndefined, parseSingleValue } from '../../agent/cgroup/parse-single-value.js'

t.test('parseInteger', async (t) => {
  const cases: [string, number | undefined][] = [
    ['0', 0],
    ['7696384', 7696384],
    ['-4096', -4096],
    ['9223372036854771712', 9223372036854771712],
    ['18446744073709551615', 18446744073709551615],
    ['', undefined],
    ['-', undefined],
    ['12a', undefined],
    ['1.5', undefined],
    [' 1', undefined],
  ]
  for (const [text, want] of cases) t.equal(parseInteger(text), want, JSON.stringify(text))
  t.equal(parseInteger('ab123cd', 2, 5), 123, 'slice of a longer string')
})

t.test('parseFlatKeyed', async (t) => {
  const wanted = new Set(['total_dirty', 'total_rss', 'oom_kill'])
  const got = parseFlatKeyed('cache 93425664\ntotal_rss 0\ntotal_dirty 22020096\nnew_kernel_key something\n', 'memory.stat', wanted)
  t.same([...got], [['total_rss', 0], ['total_dirty', 22020096]], 'only wanted keys, unknown keys skipped even when odd')
  t.same([...parseFlatKeyed('total_dirty 5', 'f', wanted)], [['total_dirty', 5]], 'no trailing newline')
  t.same([...parseFlatKeyed('', 'f', wanted)], [], 'empty file')
  t.same([...parseFlatKeyed('\n\ntotal_rss 1\n\n', 'f', wanted)], [['total_rss', 1]], 'blank lines')
  t.equal(parseFlatKeyed('total_rss 18446744073709551615\n', 'f', wanted).get('total_rss'), 18446744073709551615, 'huge value')

  const bad = (text: string, line: number, re: RegExp): void => {
    let caught: unknown
    try {
      parseFlatKeyed(text, 'memory.stat', wanted)
    } catch (er) {
      caught = er
    }
    t.ok(caught instanceof ParseError, `${JSON.stringify(text)} is a ParseError`)
    if (!(caught instanceof ParseError)) return
    t.equal(caught.file, 'memory.stat')
    t.equal(caught.lineNumber, line)
    t.match(caught.message, re)
  }
  bad('total_rss 1\ngarbage\n', 2, /memory\.stat:2: expected "key value": "garbage"/)
  bad('total_dirty 12x\n', 1, /value of total_dirty is not an integer/)
  bad('total_dirty \n', 1, /not an integer/)
  bad('total_rss 1\ntotal_di', 2, /expected "key value"/)
  bad(' 5\n', 1, /expected "key value"/)
})

t.test('parseSingleValue', async (t) => {
  t.equal(parseSingleValue('7696384\n', 'memory.current'), 7696384)
  t.equal(parseSingleValue('max\n', 'memory.max'), 'max')
  t.equal(parseSingleValue('max', 'memory.max'), 'max')
  t.equal(parseSingleValue('0\n', 'memory.max'), 0)
  t.throws(() => parseSingleValue('', 'memory.max'), /memory\.max:1: expected an integer or "max"/)
  t.throws(() => parseSingleValue('maximum\n', 'memory.max'), ParseError)
  t.throws(() => parseSingleValue('12 34\n', 'memory.max'), ParseError)
  t.equal(limitOrUndefined('max'), undefined, 'v2 max is no limit')
  t.equal(limitOrUndefined(9223372036854771712), undefined, 'v1 PAGE_COUNTER_MAX is no limit')
  t.equal(limitOrUndefined(2 ** 62), undefined)
  t.equal(limitOrUndefined(209715200), 209715200)
  t.equal(limitOrUndefined(0), 0, 'a zero limit is a limit')
})

t.test('parsePressure', async (t) => {
  const text = 'some avg10=0.24 avg60=0.06 avg300=0.01 total=73667\nfull avg10=0.24 avg60=0.06 avg300=0.01 total=73600\n'
  t.same(parsePressure(text, 'memory.pressure'), { someMicros: 73667, fullMicros: 73600 })
  t.same(parsePressure('some avg10=0.00 avg60=0.00 avg300=0.00 total=5\n', 'p'), { someMicros: 5, fullMicros: undefined }, 'no full line')
  t.same(parsePressure(text + 'future avg10=1 total=9\nodd\n', 'p'), { someMicros: 73667, fullMicros: 73600 }, 'unknown kinds skipped')
  t.throws(() => parsePressure('some avg10=0.00 avg60=0.00\n', 'memory.pressure'), /memory\.pressure:1: expected/)
  t.throws(() => parsePressure('full total=x\n', 'memory.pressure'), ParseError)
  t.throws(() => parsePressure(' total=1\n', 'memory.pressure'), ParseError)
})
