// The native reader (native/memlens_native.c through agent/fs.ts readMany) against the JS
// reader: the same bytes, the same absences and the same errors, on the real kernel captures
// and on files and directories that are not there. It must be built and loaded here; under
// CI=true a machine without it fails, elsewhere the comparisons skip with the reason.
import { mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { readCgroup } from '../../agent/cgroup/read.js'
import { MAX_BATCH, PseudoFileReader } from '../../agent/kernel/fs.js'
import { nativeAddon, nativeState } from '../../agent/kernel/native.js'
import { makeFifo } from '../helpers/fifo.js'

const captures = fileURLToPath(new URL('../fixtures/captures', import.meta.url))
const dirs = readdirSync(captures).filter((d) => d.startsWith('cgroup-'))
const versionOf = (d: string): 'v1' | 'v2' => (d.startsWith('cgroup-v1') ? 'v1' : 'v2')
const state = nativeState()

/** What the JS reader makes of one file: its text, or the error's own fields and message. */
function viaJs(path: string): string | Record<string, unknown> {
  try {
    return new PseudoFileReader({ native: false }).readText(path)
  } catch (er) {
    return describe(er)
  }
}

function viaNative(reader: PseudoFileReader, dir: string, names: readonly string[]): (string | Record<string, unknown>)[] {
  const batch = reader.readMany(dir, names)
  if (batch === undefined) throw new Error('no native reader')
  return names.map((name) => {
    try {
      const { buf, start, end } = batch.read(name)
      return buf.toString('latin1', start, end)
    } catch (er) {
      return describe(er)
    }
  })
}

function describe(er: unknown): Record<string, unknown> {
  if (!(er instanceof Error)) return { thrown: String(er) }
  return { ...er, class: er.constructor.name, message: er.message }
}

t.test('the native reader is built and loaded on this machine', async (t) => {
  if (!state.loaded) {
    const why = `native reader not loaded: ${state.reason}; run npm run build:native`
    if (process.env['CI'] === 'true') t.fail(why)
    else t.pass('native reader', { skip: why })
    return
  }
  t.match(state.path, /native\/build\/Release\/memlens_native\.node$/)
  t.ok(new PseudoFileReader().native, 'a default reader uses it')
  t.notOk(new PseudoFileReader({ native: false }).native, 'native: false is node:fs only')
})

t.test('the same as node:fs', { skip: state.loaded ? false : 'native reader not loaded' }, async (t) => {
  t.test('every file of every capture, one batch per capture', async (t) => {
    const reader = new PseudoFileReader()
    for (const d of dirs) {
      const names = readdirSync(`${captures}/${d}`)
      for (let i = 0; i < names.length; i += MAX_BATCH) {
        const chunk = names.slice(i, i + MAX_BATCH)
        t.strictSame(
          viaNative(reader, `${captures}/${d}`, chunk),
          chunk.map((n) => viaJs(`${captures}/${d}/${n}`)),
          d,
        )
      }
      t.ok(names.length > 10, `${d} has its files`)
    }
  })

  t.test('readCgroup gives the same reading on every capture', async (t) => {
    for (const d of dirs) {
      const v = versionOf(d)
      const native = readCgroup({ root: captures, version: v, reader: new PseudoFileReader() }, `/${d}`)
      const js = readCgroup({ root: captures, version: v, reader: new PseudoFileReader({ native: false }) }, `/${d}`)
      t.strictSame(native, js, d)
    }
  })

  t.test('missing files and directories, and files that cannot be read', async (t) => {
    const root = t.testdir({ c: { 'memory.current': '5\n', sub: {} } })
    symlinkSync(`${root}/c/nowhere`, `${root}/c/dangling`)
    const reader = new PseudoFileReader()
    const names = ['memory.current', 'memory.peak', 'sub', 'dangling', 'x'.repeat(300), 'memory.current']
    for (const dir of [`${root}/c`, `${root}/gone`, `${root}/c/memory.current`, `${root}/${'d'.repeat(4100)}`]) {
      const got = viaNative(reader, dir, names)
      t.strictSame(
        got,
        names.map((n) => viaJs(`${dir}/${n}`)),
        dir.slice(0, 80),
      )
    }
    const batch = reader.readMany(`${root}/c`, names)
    t.ok(batch?.missing('memory.peak'), 'ENOENT is told apart')
    t.notOk(batch?.missing('memory.current'))
    t.notOk(batch?.missing('sub'), 'a directory is not an absence')
    t.match(viaNative(reader, `${root}/c`, ['sub'])[0], {
      code: 'ENOTREG',
      path: `${root}/c/sub`,
      message: /not a regular file \(a directory\)/,
    })
    t.match(viaNative(reader, `${root}/c`, ['dangling'])[0], { code: 'ELOOP', syscall: 'open' }, 'a symbolic link is not followed')
    t.match(viaNative(reader, `${root}/gone`, ['memory.current'])[0], {
      code: 'ENOENT',
      syscall: 'open',
      path: `${root}/gone/memory.current`,
    })
    t.throws(() => batch?.read('memory.stat'), /memory\.stat was not read with/, 'only what was asked for')
  })

  t.test('readIfPresent: a file that is gone is undefined, anything else as readBytes', async (t) => {
    const root = t.testdir({ c: { 'cgroup.procs': '1\n2\n', sub: {} } })
    for (const reader of [new PseudoFileReader(), new PseudoFileReader({ native: false })]) {
      const how = reader.native ? 'native' : 'node:fs'
      const r = reader.readIfPresent(`${root}/c/cgroup.procs`)
      t.equal(r?.buf.toString('latin1', r.start, r.end), '1\n2\n', how)
      t.equal(reader.readIfPresent(`${root}/c/nope`), undefined, `${how}: ENOENT`)
      t.equal(reader.readIfPresent(`${root}/gone/cgroup.procs`), undefined, `${how}: the directory is gone`)
      t.equal(reader.readIfPresent(`${root}/c/cgroup.procs/x`), undefined, `${how}: ENOTDIR`)
      t.throws(() => reader.readIfPresent(`${root}/c/sub`), { code: 'ENOTREG' }, `${how}: a directory is not gone`)
    }
  })

  t.test('directory listings: the same subdirectories, the same errors', async (t) => {
    const root = t.testdir({ c: { 'memory.current': '5\n', 'b.scope': {}, 'a.slice': { deeper: {} }, 'cgroup.procs': '' }, empty: {} })
    symlinkSync(`${root}/c/a.slice`, `${root}/c/link-to-dir`)
    symlinkSync(`${root}/c/loop`, `${root}/c/loop`)
    makeFifo(t, `${root}/c/fifo`)
    const native = new PseudoFileReader()
    const js = new PseudoFileReader({ native: false })
    const list = (r: PseudoFileReader, path: string): string[] | Record<string, unknown> => {
      try {
        return r.listDirectories(path).sort()
      } catch (er) {
        return describe(er)
      }
    }
    t.strictSame(list(native, `${root}/c`), ['a.slice', 'b.scope'], 'directories only: no files, links or FIFOs')
    t.strictSame(list(native, `${root}/empty`), [])
    for (const path of [
      `${root}/c`,
      `${root}/empty`,
      `${root}/gone`,
      `${root}/c/memory.current`,
      `${root}/c/link-to-dir`,
      `${root}/c/loop`,
    ]) {
      t.strictSame(list(native, path), list(js, path), path.slice(root.length))
    }
    t.match(list(native, `${root}/gone`), { code: 'ENOENT', syscall: 'scandir', path: `${root}/gone` })
    t.match(list(native, `${root}/c/memory.current`), { code: 'ENOTDIR' })
  })

  t.test('files bigger than the buffer grow it, and later batches still line up', async (t) => {
    const big = 'x'.repeat(150_000) + '\n'
    const root = t.testdir({ a: '1\n', big, c: 'three\n', huge: big.repeat(3) })
    const reader = new PseudoFileReader()
    t.strictSame(viaNative(reader, root, ['a', 'big', 'c', 'huge', 'a']), ['1\n', big, 'three\n', big.repeat(3), '1\n'])
    t.strictSame(viaNative(reader, root, ['c', 'a']), ['three\n', '1\n'])
    const exact = t.testdir({ f: 'y'.repeat(64 * 1024) })
    t.strictSame(viaNative(new PseudoFileReader(), exact, ['f']), ['y'.repeat(64 * 1024)], 'exactly the initial buffer size')
  })

  t.test('wrong arguments are refused, not read', async (t) => {
    const addon = nativeAddon()
    if (addon === undefined) throw new Error('no native reader')
    const buf = Buffer.alloc(16)
    const out = new Int32Array(4)
    const max = 1024
    t.throws(() => addon.readFiles('/x', ['a', 'b', 'c'], buf, out, max), TypeError, 'out too short')
    t.throws(() => addon.readFiles('/x', ['a', 1 as unknown as string], buf, out, max), TypeError, 'a name that is not a string')
    t.throws(() => addon.readFiles('/x\0y', ['a'], buf, out, max), TypeError, 'a NUL in the path')
    t.throws(() => addon.readFiles('/x', ['a'], new Uint16Array(4) as unknown as Buffer, out, max), TypeError)
    t.throws(() => (addon.readFiles as (...a: unknown[]) => number)('/x', ['a'], buf, out), TypeError, 'no cap')
    for (const bad of [0, -1, 2 ** 30, 'x'])
      t.throws(() => addon.readFiles('/x', ['a'], buf, out, bad as number), TypeError, `cap ${String(bad)}`)
    t.throws(
      () =>
        new PseudoFileReader().readMany(
          '/x',
          Array.from({ length: MAX_BATCH + 1 }, (_, i) => `f${i}`),
        ),
      RangeError,
    )
    t.equal(addon.readFiles('/x', [], buf, out, max), 0, 'an empty batch')
    mkdirSync(`${t.testdir({})}/d`)
    writeFileSync(`${t.testdirName}/d/f`, 'abc')
    t.equal(addon.readFiles(`${t.testdirName}/d`, ['f'], Buffer.alloc(3), out, max), 0, 'a file that fills the buffer asks for more')
    t.equal(addon.readFiles(`${t.testdirName}/d`, ['f'], Buffer.alloc(4), out, max), 1)
    t.strictSame([...out.subarray(0, 2)], [0, 3])
    t.equal(addon.readFiles(`${t.testdirName}/d`, ['f'], Buffer.alloc(4), out, 3), 1, 'exactly the cap')
    t.strictSame([...out.subarray(0, 2)], [0, 3])
    t.equal(addon.readFiles(`${t.testdirName}/d`, ['f'], Buffer.alloc(4), out, 2), 1, 'over the cap')
    t.strictSame([...out.subarray(0, 2)], [4, -27], 'step 4 (too large), -EFBIG')
  })
})
