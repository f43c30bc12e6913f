import t from 'tap'
import { ParseError } from '../../agent/kernel/errors.js'
import { FlatKeys, parseFlatKeyed } from '../../agent/kernel/parse-flat-keyed.js'
import { parseInteger } from '../../agent/kernel/parse-number.js'
import { parsePressure } from '../../agent/kernel/parse-pressure.js'
import { limitOrUndefined, parseSingleValue } from '../../agent/kernel/parse-single-value.js'

// The parsers work on the bytes as read; tests hand them kernel text as bytes.
const b = (text: string): Buffer => Buffer.from(text, 'latin1')

t.test('parseInteger', async (t) => {
  const cases: [string, number | undefined][] = [
    ['0', 0],
    ['7696384', 7696384],
    ['9223372036854771712', 9223372036854771712],
    ['-4096', undefined],
    ['-0', undefined],
    ['+1', undefined],
    ['9223372036854775808', undefined],
    ['9300000000000000000', undefined],
    ['18446744073709551615', undefined],
    ['123456789012345678901234567890', undefined],
    ['9'.repeat(400), undefined],
    ['', undefined],
    ['-', undefined],
    ['12a', undefined],
    ['1.5', undefined],
    [' 1', undefined],
  ]
  for (const [text, want] of cases) t.equal(parseInteger(b(text), 0, text.length), want, JSON.stringify(text))
  t.equal(parseInteger(b('ab123cd'), 2, 5), 123, 'slice of a longer buffer')
  // Above 2^53 a double is approximate; what matters is that 2^63 - 1 (3.x's "unlimited") is in.
  for (const text of ['9223372036854775807', '0009223372036854775807']) t.ok((parseInteger(b(text), 0, text.length) ?? 0) > 2 ** 62, text)
})

t.test('parseFlatKeyed', async (t) => {
  const wanted = new FlatKeys(['total_dirty', 'total_rss', 'oom_kill'] as const)
  const parse = (text: string) => parseFlatKeyed(b(text), 0, text.length, 'memory.stat', wanted)
  const got = parse('cache 93425664\ntotal_rss 0\ntotal_dirty 22020096\nnew_kernel_key something\n')
  t.same(
    got.entries(),
    [
      ['total_dirty', 22020096],
      ['total_rss', 0],
    ],
    'only wanted keys, unknown keys skipped even when odd',
  )
  t.equal(got.get('oom_kill'), undefined, 'a key the kernel did not print is absent, not 0')
  t.same(parse('total_dirty 5').entries(), [['total_dirty', 5]], 'no trailing newline')
  t.same(parse('').entries(), [], 'empty file')
  t.same(parse('\n\ntotal_rss 1\n\n').entries(), [['total_rss', 1]], 'blank lines')
  t.equal(parse('total_rss 9223372036854771712\n').get('total_rss'), 9223372036854771712, 'v1 "unlimited" is below 2^63')
  t.same(parse('total_rs 1\ntotal_rssx 2\nTotal_rss 3\n').entries(), [], 'near-miss keys are not ours')
  const buf = Buffer.alloc(64, 0x78)
  b('total_rss 42\n').copy(buf)
  t.equal(parseFlatKeyed(buf, 0, 13, 'f', wanted).get('total_rss'), 42, 'only the bytes read count, not the rest of the buffer')
  const batch = b('total_rss 1\ntotal_rss 7\ntotal_dirty 9\n')
  t.same(parseFlatKeyed(batch, 12, 24, 'f', wanted).entries(), [['total_rss', 7]], 'one file among others in a batch buffer')

  const bad = (text: string, line: number, re: RegExp): void => {
    let caught: unknown
    try {
      parse(text)
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
  bad('total_dirty 12x\n', 1, /value of total_dirty is not an integer in \[0, 2\^63\): "total_dirty 12x"/)
  bad('total_dirty \n', 1, /not an integer/)
  bad('total_rss 1\ntotal_di', 2, /expected "key value"/)
  bad(' 5\n', 1, /expected "key value"/)
  bad('total_rss -4096\n', 1, /value of total_rss is not an integer in \[0, 2\^63\)/)
  bad('total_rss 18446744073709551615\n', 1, /not an integer in/)
  bad('total_rss 123456789012345678901234567890\n', 1, /not an integer in/)
  bad(`total_rss ${'9'.repeat(400)}\n`, 1, /not an integer in/)
  bad('total_rss 1\ncache 2\ntotal_rss 3\n', 3, /memory\.stat:3: total_rss appears twice: "total_rss 3"/)
  t.same(parse('cache 1\ncache 2\ntotal_rss 3\n').entries(), [['total_rss', 3]], 'a key we do not read may repeat: it is not published')
  t.throws(() => new FlatKeys(['Aa', 'BB']), /collides/, 'colliding keys are caught when compiled')
})

t.test('parseSingleValue', async (t) => {
  const parse = (text: string, file = 'memory.max') => parseSingleValue(b(text), 0, text.length, file)
  t.equal(parse('7696384\n', 'memory.current'), 7696384)
  t.equal(parse('max\n'), 'max')
  t.equal(parse('max'), 'max')
  t.equal(parse('0\n'), 0)
  t.equal(parse('9223372036854771712\n', 'memory.limit_in_bytes'), 9223372036854771712, 'v1 "unlimited"')
  t.equal(limitOrUndefined(parse('9223372036854775807\n', 'memory.limit_in_bytes')), undefined, '3.x res_counter "unlimited"')
  for (const bad of ['18446744073709551615\n', '-4096\n', '+Inf\n', 'Inf\n', 'NaN\n', '1e3\n', `${'9'.repeat(30)}\n`, '0x10\n']) {
    t.throws(() => parse(bad, 'memory.current'), /memory\.current:1: expected an integer in \[0, 2\^63\) or "max"/, JSON.stringify(bad))
  }
  t.equal(parseSingleValue(b('12\nmax\n34\n'), 3, 7, 'memory.max'), 'max', 'one file among others in a batch buffer')
  t.equal(parseSingleValue(b('12\nmax\n34\n'), 7, 10, 'memory.max'), 34)
  t.throws(() => parse(''), /memory\.max:1: expected an integer in \[0, 2\^63\) or "max"/)
  t.throws(() => parse('maximum\n'), ParseError)
  t.throws(() => parse('ma\n'), ParseError)
  t.throws(() => parse('12 34\n'), ParseError)
  t.equal(limitOrUndefined('max'), undefined, 'v2 max is no limit')
  t.equal(limitOrUndefined(9223372036854771712), undefined, 'v1 PAGE_COUNTER_MAX is no limit')
  t.equal(limitOrUndefined(2 ** 62), undefined)
  t.equal(limitOrUndefined(209715200), 209715200)
  t.equal(limitOrUndefined(0), 0, 'a zero limit is a limit')
})

t.test('parsePressure', async (t) => {
  const parse = (text: string) => parsePressure(b(text), 0, text.length, 'memory.pressure')
  const text = 'some avg10=0.24 avg60=0.06 avg300=0.01 total=73667\nfull avg10=0.24 avg60=0.06 avg300=0.01 total=73600\n'
  t.same(parse(text), { someMicros: 73667, fullMicros: 73600 })
  t.same(parse('some avg10=0.00 avg60=0.00 avg300=0.00 total=5\n'), { someMicros: 5, fullMicros: undefined }, 'no full line')
  t.same(parse(text + 'future avg10=1 total=9\nodd\n'), { someMicros: 73667, fullMicros: 73600 }, 'unknown kinds skipped')
  t.same(parse('somewhere total=1\n'), { someMicros: undefined, fullMicros: undefined }, 'a longer word is not "some"')
  t.same(parse('some'), { someMicros: undefined, fullMicros: undefined }, 'a bare kind at the end of the file is not a PSI line')
  const batch = b(`x 1\n${text}some total=9\n`)
  t.same(
    parsePressure(batch, 4, 4 + text.length, 'memory.pressure'),
    { someMicros: 73667, fullMicros: 73600 },
    'one file among others in a batch buffer',
  )
  t.throws(() => parse('some avg10=0.00 avg60=0.00\n'), /memory\.pressure:1: expected/)
  t.throws(() => parse('full total=x\n'), ParseError)
  t.throws(() => parse(' total=1\n'), ParseError)
  t.throws(() => parse('some avg10=0.00 avg60=0.00 avg300=0.00 total=-5\n'), ParseError, 'a negative total')
  t.throws(() => parse(`some avg10=0.00 total=${'9'.repeat(30)}\n`), ParseError, 'a 30-digit total')
  t.throws(() => parse(text + text), /memory\.pressure:3: a second "some" line/)
})
