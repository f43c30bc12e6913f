// What the readers (node:fs and native) do with what the kernel never puts in cgroupfs or
// procfs: FIFOs, devices, directories and links where a file should be, and files that do
// not end. Refused with a clear error, never a hang, never an unbounded buffer; the reader
// works as before once the file is sane again.
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs'
import t from 'tap'
import { RefusedFileError } from '../../agent/kernel/errors.js'
import { MAX_FILE_BYTES, PseudoFileReader } from '../../agent/kernel/fs.js'
import { nativeState } from '../../agent/kernel/native.js'
import { makeFifo } from '../helpers/fifo.js'
import { thrownBy } from '../helpers/thrown.js'

const readers = [{ name: 'node:fs', native: false }, ...(nativeState().loaded ? [{ name: 'native', native: true }] : [])] as const

/** One file through the reader's own path: readMany for the native reader, readBytes else. */
function read(reader: PseudoFileReader, dir: string, name: string): string {
  const batch = reader.readMany(dir, [name])
  const { buf, start, end } = batch === undefined ? reader.readBytes(`${dir}/${name}`) : batch.read(name)
  return buf.toString('latin1', start, end)
}

for (const { name, native } of readers) {
  t.test(`${name} reader`, async (t) => {
    t.test('a FIFO where a file should be is refused at once, not waited on', async (t) => {
      const dir = t.testdir({ 'memory.current': '5\n' })
      makeFifo(t, `${dir}/memory.stat`)
      const reader = new PseudoFileReader({ native })
      const er = thrownBy(() => read(reader, dir, 'memory.stat'))
      t.ok(er instanceof RefusedFileError, 'a RefusedFileError')
      t.match(er, {
        code: 'ENOTREG',
        path: `${dir}/memory.stat`,
        message: `ENOTREG: not a regular file (a FIFO), refused '${dir}/memory.stat'`,
      })
      t.equal(read(reader, dir, 'memory.current'), '5\n', 'the next file reads as ever')
      if (native) {
        const batch = reader.readMany(dir, ['memory.current', 'memory.stat', 'memory.current'])
        t.match(
          thrownBy(() => batch?.read('memory.stat')),
          { code: 'ENOTREG' },
          'in a batch: that file only',
        )
        t.notOk(batch?.missing('memory.stat'), 'refused is not missing')
      }
    })

    t.test('a device is refused: /dev/zero never ends', async (t) => {
      const reader = new PseudoFileReader({ native })
      t.match(
        thrownBy(() => read(reader, '/dev', 'zero')),
        { code: 'ENOTREG', message: /not a regular file \(a character device\)/ },
      )
      t.equal(reader.bufferBytes, 64 * 1024, 'the buffer did not grow')
    })

    t.test('a symbolic link is not followed (cgroupfs and procfs files are never links)', async (t) => {
      const dir = t.testdir({ 'memory.current': '5\n' })
      symlinkSync('/dev/zero', `${dir}/memory.stat`)
      symlinkSync('memory.current', `${dir}/memory.max`)
      symlinkSync('memory.peak', `${dir}/memory.peak`)
      const reader = new PseudoFileReader({ native })
      for (const f of ['memory.stat', 'memory.max', 'memory.peak'])
        t.match(
          thrownBy(() => read(reader, dir, f)),
          { code: 'ELOOP', syscall: 'open' },
          f,
        )
    })

    t.test('a directory where a file should be is refused', async (t) => {
      const dir = t.testdir({ 'memory.stat': {} })
      t.match(
        thrownBy(() => read(new PseudoFileReader({ native }), dir, 'memory.stat')),
        { code: 'ENOTREG', message: /\(a directory\)/ },
      )
    })

    t.test('a file over the cap is refused; the buffer stays bounded and the reader recovers', async (t) => {
      const cap = 1000
      const dir = t.testdir({ exact: 'x'.repeat(cap), over: 'x'.repeat(cap + 1), big: 'y'.repeat(300_000), small: 'ok\n' })
      const reader = new PseudoFileReader({ native, maxFileBytes: cap })
      t.equal(read(reader, dir, 'exact').length, cap, 'exactly the cap is fine')
      t.match(
        thrownBy(() => read(reader, dir, 'over')),
        { code: 'EFBIG', path: `${dir}/over`, message: `EFBIG: longer than ${cap} bytes, refused '${dir}/over'` },
      )
      t.match(
        thrownBy(() => read(reader, dir, 'big')),
        { code: 'EFBIG' },
      )
      t.ok(reader.bufferBytes <= 64 * 1024, 'no growth for a file refused')
      t.equal(read(reader, dir, 'small'), 'ok\n', 'the next file reads as ever')
      writeFileSync(`${dir}/big`, 'fixed\n')
      t.equal(read(reader, dir, 'big'), 'fixed\n', 'the file, once sane, reads again')
    })

    t.test('the default cap: 1 MiB', async (t) => {
      const dir = t.testdir({ huge: 'z'.repeat(MAX_FILE_BYTES + 1), fine: 'z'.repeat(200_000) })
      const reader = new PseudoFileReader({ native })
      t.match(
        thrownBy(() => read(reader, dir, 'huge')),
        { code: 'EFBIG', message: /longer than 1048576 bytes/ },
      )
      t.ok(reader.bufferBytes <= 4 * (MAX_FILE_BYTES + 1), `the buffer is bounded (${reader.bufferBytes} bytes)`)
      t.equal(read(reader, dir, 'fine').length, 200_000)
      t.throws(() => new PseudoFileReader({ native, maxFileBytes: 0 }), RangeError)
      t.throws(() => new PseudoFileReader({ native, maxFileBytes: 2 ** 30 }), RangeError)
    })
  })
}

t.test('readBytes takes a larger cap for one file (mountinfo on a busy node)', async (t) => {
  const dir = t.testdir({ f: 'm'.repeat(3000) })
  mkdirSync(`${dir}/d`)
  const reader = new PseudoFileReader({ native: false, maxFileBytes: 1000 })
  t.throws(() => reader.readText(`${dir}/f`), { code: 'EFBIG' })
  t.equal(reader.readText(`${dir}/f`, 4000).length, 3000)
})
