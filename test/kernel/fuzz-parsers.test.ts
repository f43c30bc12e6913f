// Every parser of kernel text against hostile input: random bytes, kernel-like lines with bad
// numbers (negative, 30 digits, +Inf, NaN), duplicate keys, NUL bytes, truncation, real
// captures mutated byte by byte, and files at the readers' 1 MiB cap. The property: a value
// or a ParseError naming the file, never another exception, never NaN, Infinity or a negative
// number in the result. fast-check with a fixed seed, so a failure replays (and shrinks);
// MEMLENS_FUZZ_RUNS=100000 runs longer locally.
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import fc from 'fast-check'
import t from 'tap'
import { ParseError } from '../../agent/kernel/errors.js'
import { MAX_FILE_BYTES } from '../../agent/kernel/fs.js'
import { FlatKeys, parseFlatKeyed } from '../../agent/kernel/parse-flat-keyed.js'
import { parseMountinfo } from '../../agent/kernel/parse-mountinfo.js'
import { parsePressure } from '../../agent/kernel/parse-pressure.js'
import { parseSingleValue } from '../../agent/kernel/parse-single-value.js'
import { parseKmsgRecord } from '../../agent/oom/kmsg-record.js'
import { parseStatus } from '../../agent/proc/parse-status.js'

const SEED = 0x6d656d6c
const RUNS = Number(process.env['MEMLENS_FUZZ_RUNS'] ?? 300)
const fixture = (rel: string): Buffer => readFileSync(fileURLToPath(new URL(`../fixtures/${rel}`, import.meta.url)))

const STAT_KEYS = new FlatKeys(['anon', 'file', 'file_dirty', 'total_rss', 'total_cache', 'oom_kill', 'max'] as const)

interface Parser {
  readonly name: string
  /** The file name the parser is told, which a ParseError must carry. */
  readonly file: string
  /** Runs the parser on data[start, end); returns its result. */
  readonly parse: (data: Uint8Array, start: number, end: number) => unknown
  /** Real input to mutate. */
  readonly seeds: readonly Buffer[]
}

const PARSERS: readonly Parser[] = [
  {
    name: 'flat keyed',
    file: 'memory.stat',
    parse: (d, s, e) => parseFlatKeyed(d, s, e, 'memory.stat', STAT_KEYS).values,
    seeds: [
      fixture('captures/cgroup-v2-linux-6.18-idle/memory.stat'),
      fixture('captures/cgroup-v1-linux-6.18-after-write/memory.stat'),
      fixture('captures/cgroup-v2-linux-6.18-anon-oom/memory.events'),
    ],
  },
  {
    name: 'single value',
    file: 'memory.max',
    parse: (d, s, e) => parseSingleValue(d, s, e, 'memory.max'),
    seeds: [Buffer.from('max\n'), Buffer.from('268435456\n'), Buffer.from('9223372036854771712\n')],
  },
  {
    name: 'pressure',
    file: 'memory.pressure',
    parse: (d, s, e) => parsePressure(d, s, e, 'memory.pressure'),
    seeds: [fixture('captures/cgroup-v2-linux-6.18-anon-oom/memory.pressure')],
  },
  {
    name: 'mountinfo',
    file: 'mountinfo',
    parse: (d, s, e) => parseMountinfo(Buffer.from(d.buffer, d.byteOffset + s, e - s).toString('latin1'), 'mountinfo'),
    seeds: [
      Buffer.from(
        '30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n34 30 0:31 / /sys/fs/cgroup/memory rw,relatime shared:9 - cgroup cgroup rw,memory\n' +
          '40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n41 1 0:5 /a\\040b /mnt\\011x rw - ext4 /dev/sda1 rw\n',
      ),
    ],
  },
  {
    name: '/proc/PID/status',
    file: '/proc/1/status',
    parse: (d, s, e) => parseStatus(d, s, e, '/proc/1/status'),
    seeds: [fixture('proc/status-process'), fixture('proc/status-kernel-thread')],
  },
  {
    name: 'kmsg record',
    file: '/dev/kmsg',
    parse: (d, s, e) => parseKmsgRecord(d, s, e),
    seeds: [
      Buffer.from('6,398,239387817,-;Memory cgroup stats for /kubepods/burstable/pod1234/abcd:\n'),
      Buffer.from(
        '3,445,239387891,-,caller=T2692;Memory cgroup out of memory: Killed process 2692 (dd) \\x0aanon 1\n SUBSYSTEM=virtio\n DEVICE=+virtio:virtio1\n',
      ),
    ],
  },
]

/** Every number anywhere in the result is finite and not negative. */
function badNumber(value: unknown, path = 'result'): string | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? undefined : `${path} = ${value}`
  if (typeof value !== 'object' || value === null) return undefined
  for (const [k, v] of Object.entries(value)) {
    const bad = badNumber(v, `${path}.${k}`)
    if (bad !== undefined) return bad
  }
  return undefined
}

/** The property: a sane value, or a ParseError naming the file. */
function holds(p: Parser, data: Uint8Array, start = 0, end = data.length): boolean {
  let result: unknown
  try {
    result = p.parse(data, start, end)
  } catch (er) {
    if (er instanceof ParseError && er.file === p.file) return true
    throw new Error(
      `${p.name}: threw ${String(er)} on ${JSON.stringify(Buffer.from(data.subarray(start, Math.min(end, start + 200))).toString('latin1'))}`,
    )
  }
  const bad = badNumber(result)
  if (bad !== undefined)
    throw new Error(
      `${p.name}: ${bad} on ${JSON.stringify(Buffer.from(data.subarray(start, Math.min(end, start + 200))).toString('latin1'))}`,
    )
  return true
}

// Kernel-like lines: a known or odd key, an odd separator, a good or impossible value.
const key = fc.constantFrom(
  'anon',
  'file',
  'file_dirty',
  'total_rss',
  'oom_kill',
  'max',
  'some',
  'full',
  'Name:',
  'VmRSS:',
  'RssAnon:',
  'RssShmem:',
  '6,1,2,-;',
  'x',
  '',
)
const number = fc.oneof(
  fc.nat().map(String),
  fc.bigInt({ min: 0n, max: 2n ** 64n }).map(String),
  fc.bigInt({ min: -(2n ** 64n), max: -1n }).map(String),
  fc.constantFrom(
    '9223372036854771712',
    '9223372036854775807',
    '9223372036854775808',
    '18446744073709551615',
    '1'.repeat(30),
    '9'.repeat(400),
  ),
  fc.constantFrom('+Inf', '-Inf', 'Inf', 'NaN', '1e308', '0x10', '1.5', '-0', '', 'max', 'total=', 'avg10=0.00 total=5', '12 kB', '-1 kB'),
)
const separator = fc.constantFrom(' ', '  ', '\t', ':\t', '=', '', ' total=', '\0', ';')
const lineEnd = fc.constantFrom('\n', '\n', '\n', '', '\0', '\r\n', '\n\n')
const line = fc.tuple(key, separator, number, lineEnd).map(([k, s, n, e]) => k + s + n + e)
const text = fc.array(line, { maxLength: 40 }).map((lines) => Buffer.from(lines.join(''), 'latin1'))

/** A real file with bytes overwritten, inserted or cut. */
function mutated(seeds: readonly Buffer[]): fc.Arbitrary<Uint8Array> {
  const edit = fc.tuple(fc.nat(), fc.constantFrom(0, 10, 32, 45, 48, 57, 61, 92, 255, 43), fc.constantFrom('set', 'insert', 'cut'))
  return fc.tuple(fc.constantFrom(...seeds), fc.array(edit, { maxLength: 8 })).map(([seed, edits]) => {
    let bytes = [...seed]
    for (const [at, byte, how] of edits) {
      const i = bytes.length === 0 ? 0 : at % bytes.length
      if (how === 'set') bytes[i] = byte
      else if (how === 'insert') bytes.splice(i, 0, byte)
      else bytes = bytes.slice(0, i)
    }
    return Uint8Array.from(bytes)
  })
}

for (const p of PARSERS) {
  t.test(p.name, async (t) => {
    const params = { seed: SEED, numRuns: RUNS }
    t.doesNotThrow(
      () =>
        fc.assert(
          fc.property(fc.uint8Array({ maxLength: 600 }), (d) => holds(p, d)),
          params,
        ),
      'random bytes',
    )
    t.doesNotThrow(
      () =>
        fc.assert(
          fc.property(text, (d) => holds(p, d)),
          params,
        ),
      'kernel-like lines with bad numbers, NULs, duplicates',
    )
    t.doesNotThrow(
      () =>
        fc.assert(
          fc.property(mutated(p.seeds), (d) => holds(p, d)),
          params,
        ),
      'real files mutated and truncated',
    )
    // Inside a larger buffer, as the native reader hands files over: nothing past `end` counts.
    const inBatch = fc
      .tuple(text, fc.uint8Array({ maxLength: 64 }), fc.uint8Array({ maxLength: 64 }))
      .map(([d, before, after]) => ({ d, before, after }))
    t.doesNotThrow(
      () =>
        fc.assert(
          fc.property(inBatch, ({ d, before, after }) =>
            holds(p, Buffer.concat([before, d, after]), before.length, before.length + d.length),
          ),
          params,
        ),
      'one file among others in a batch buffer',
    )
    t.ok(
      p.seeds.every((s) => holds(p, s)),
      'the real files themselves',
    )
  })
}

t.test('files at the readers cap', async (t) => {
  const big = (unit: string): Buffer => Buffer.from(unit.repeat(Math.ceil(MAX_FILE_BYTES / unit.length)).slice(0, MAX_FILE_BYTES), 'latin1')
  const files = {
    'one line, no newline': big('7'),
    'unknown keys': big('new_key 1\n'),
    'a wanted key, again and again': big('anon 1\n'),
    'blank lines': big('\n'),
    'NUL bytes': big('\0'),
    spaces: big(' '),
    'kmsg dictionary lines': Buffer.concat([Buffer.from('6,1,2,-;x\n'), big(' K=V\n')]),
    'status lines': big('Name:\tx\nVmRSS:\t 1 kB\n'),
    'mount lines': big('1 2 0:3 / /x rw - tmpfs tmpfs rw\n'),
  }
  for (const [what, data] of Object.entries(files)) for (const p of PARSERS) t.ok(holds(p, data), `${p.name}: ${what}`)
})
