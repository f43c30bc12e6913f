import { Readable } from 'node:stream'
import t from 'tap'
import { LineSplitter, TooLargeError, formatBytes, readCapped } from '../../agent/kube/capped.js'

function split(chunks: readonly string[], maxLineBytes: number): { lines: string[]; error: unknown } {
  const lines: string[] = []
  const splitter = new LineSplitter(maxLineBytes, (line) => lines.push(line))
  try {
    for (const c of chunks) splitter.push(Buffer.from(c))
    splitter.end()
    return { lines, error: undefined }
  } catch (er) {
    return { lines, error: er }
  }
}

t.test('LineSplitter: lines across and within chunks', async (t) => {
  t.same(split(['a\nb', 'c\n', '\nd'], 10).lines, ['a', 'bc', '', 'd'], 'a last line without a newline comes at the end')
  t.same(split(['{"a":1}\r\n'], 10).lines, ['{"a":1}\r'], 'CR is left for JSON.parse, which skips it')
  t.same(split(['héllo\n'], 10).lines, ['héllo'], 'UTF-8 split only at newlines')
  const euro = Buffer.from('€\n')
  const lines: string[] = []
  const splitter = new LineSplitter(10, (l) => lines.push(l))
  for (const byte of euro) splitter.push(Buffer.from([byte]))
  t.same(lines, ['€'], 'a character split across chunks is whole')
})

t.test('LineSplitter: a line past the cap throws, however it arrives', async (t) => {
  t.same(split(['12345\n'], 5), { lines: ['12345'], error: undefined }, 'exactly the cap is fine')
  for (const chunks of [['123456\n'], ['123', '456'], ['1\n123', '45', '6\n']]) {
    const { error } = split(chunks, 5)
    t.type(error, TooLargeError, JSON.stringify(chunks))
    t.match(error, { message: /longer than 5 bytes/ })
  }
  t.same(split(['1\n123', '45', '6\n'], 5).lines, ['1'], 'lines before it were delivered')
})

t.test('readCapped reads to the cap and no further', async (t) => {
  const body = (): Readable => Readable.from([Buffer.alloc(1000, 'a'), Buffer.alloc(1000, 'b')])
  t.equal((await readCapped(body(), 2000, 'the body')).length, 2000)
  await t.rejects(readCapped(body(), 1999, 'the body'), {
    name: 'TooLargeError',
    message: 'the body is larger than 1999 bytes; gave up reading it',
  })
  await t.rejects(
    readCapped(body(), 2048, 'the list', 1024),
    { message: 'the list is larger than 2 KiB; gave up reading it' },
    'earlier pages count',
  )
  const declared = Object.assign(body(), { headers: { 'content-length': '2000' } })
  let read = false
  declared.on('data', () => (read = true))
  declared.pause()
  await t.rejects(readCapped(declared, 1024, 'the body'), { name: 'TooLargeError' }, 'a Content-Length past the cap fails at once')
  t.equal(read, false, 'without reading')
  t.equal(declared.destroyed, true)
})

t.test('formatBytes writes caps as configured', async (t) => {
  t.same(
    [formatBytes(8 * 2 ** 20), formatBytes(64 * 1024), formatBytes(1000), formatBytes(1536 * 1024)],
    ['8 MiB', '64 KiB', '1000 bytes', '1536 KiB'],
  )
})
