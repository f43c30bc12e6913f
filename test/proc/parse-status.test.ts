import { readFileSync } from 'node:fs'
import t from 'tap'
import { ParseError } from '../../agent/kernel/errors.js'
import { parseStatus } from '../../agent/proc/parse-status.js'

const fixture = (name: string): Buffer => readFileSync(new URL(`../fixtures/proc/${name}`, import.meta.url))
const b = (text: string): Buffer => Buffer.from(text, 'latin1')
const parse = (data: Buffer) => parseStatus(data, 0, data.length, '/proc/42/status')

t.test('a process, as this machine printed it', async (t) => {
  // Copied from /proc/self/status of `cp` on Linux 6.18.
  t.same(parse(fixture('status-process')), {
    comm: 'cp',
    vmRssBytes: 2288 * 1024,
    rssAnonBytes: 164 * 1024,
    rssFileBytes: 2124 * 1024,
    rssShmemBytes: 0,
  })
})

t.test('a kernel thread has no RSS lines: absent, not 0', async (t) => {
  const got = parse(fixture('status-kernel-thread'))
  t.equal(got.comm, 'kthreadd')
  t.equal(got.vmRssBytes, undefined)
  t.equal(got.rssAnonBytes, undefined)
  t.equal(got.rssFileBytes, undefined)
  t.equal(got.rssShmemBytes, undefined)
})

t.test('names', async (t) => {
  const name = (line: string) => parse(b(`Name:\t${line}\nVmRSS:\t  4 kB\n`)).comm
  t.equal(name('kworker/0:1 evt'), 'kworker/0:1 evt', 'spaces are kept')
  t.equal(name('tab\there'), 'tab\there', 'a tab inside the name is not escaped by the kernel')
  t.equal(name('a\\nb'), 'a\nb', 'the kernel escapes a newline as \\n')
  t.equal(name('back\\\\slash'), 'back\\slash', 'and a backslash as \\\\')
  t.equal(name('x\\y'), 'x\\y', 'a lone backslash stays')
  t.equal(name(''), '', 'empty name')
  t.equal(parseStatus(Buffer.from('Name:\tcafé\n', 'utf8'), 0, 12, 'f').comm, 'café', 'UTF-8 bytes')
  t.equal(parse(Buffer.from([...b('Name:\t'), 0xff, 0x41, 10])).comm, '\ufffdA', 'invalid UTF-8 does not throw')
  t.equal(parse(b('VmRSS:\t 4 kB\n')).comm, undefined, 'no Name line')
})

t.test('only wanted keys, in any order, from a slice of a larger buffer', async (t) => {
  const text = 'Umask:\t0022\nVmHWM:\t 99 kB\nVmRSS:\t 8 kB\nRssFile:\t 2 kB\nRssAnon:\t 6 kB\nRssShmem:\t 0 kB\nVmData:\t bad\n'
  t.same(parse(b(text)), { comm: undefined, vmRssBytes: 8192, rssAnonBytes: 6144, rssFileBytes: 2048, rssShmemBytes: 0 })
  const buf = Buffer.alloc(200, 0x78)
  const slice = b('Name:\tsh\nVmRSS:\t 1 kB\n')
  slice.copy(buf, 50)
  t.same(parseStatus(buf, 50, 50 + slice.length, 'f'), {
    comm: 'sh',
    vmRssBytes: 1024,
    rssAnonBytes: undefined,
    rssFileBytes: undefined,
    rssShmemBytes: undefined,
  })
  t.same(
    parse(b('RssShmem:\t 1 kB\nRssAnon:\t 5 kB\n')).rssAnonBytes,
    undefined,
    'nothing after RssShmem is read (the kernel prints it last)',
  )
  t.same(
    parse(b('Name:\tk\nThreads:\t1\nVmRSS:\t 5 kB\n')).vmRssBytes,
    undefined,
    'nothing after Threads: is read (the memory lines come before it)',
  )
  t.equal(parse(b('VmRSS:\t 12345678 kB\n')).vmRssBytes, 12345678 * 1024, 'large values')
  t.equal(parse(b('VmRSS:\t 3 kB  \n')).vmRssBytes, 3072, 'trailing blanks')
  t.equal(parse(b('VmRSSx:\t 3 kB\nRss:\t 1 kB\n')).vmRssBytes, undefined, 'near-miss keys are not ours')
})

t.test('a truncated file: the unterminated last line is ignored', async (t) => {
  const whole = fixture('status-process')
  const cut = whole.indexOf('VmRSS:') + 'VmRSS:\t    22'.length
  const got = parseStatus(whole, 0, cut, '/proc/42/status')
  t.equal(got.comm, 'cp')
  t.equal(got.vmRssBytes, undefined, 'not 16 kB')
  t.same(parse(b('')), {
    comm: undefined,
    vmRssBytes: undefined,
    rssAnonBytes: undefined,
    rssFileBytes: undefined,
    rssShmemBytes: undefined,
  })
  t.equal(parse(b('Name:\tsh')).comm, undefined)
})

t.test('a malformed wanted line is an error naming the file and quoting the line', async (t) => {
  for (const line of ['VmRSS:\tabc kB', 'VmRSS:\t12 MB', 'RssAnon:\t', 'RssFile:\t 12kB', 'RssShmem:\t 1 kB x', 'VmRSS:\t-1 kB']) {
    let caught: unknown
    try {
      parse(b(`Name:\tx\n${line}\n`))
    } catch (er) {
      caught = er
    }
    t.ok(caught instanceof ParseError, `${JSON.stringify(line)} is a ParseError`)
    if (!(caught instanceof ParseError)) continue
    t.equal(caught.file, '/proc/42/status')
    t.equal(caught.lineNumber, 2)
    t.equal(caught.line, line)
    t.match(caught.message, /\/proc\/42\/status:2: expected "<number> kB"/)
  }
})
