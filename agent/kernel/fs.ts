// The one seam for reading kernel pseudo-files. cgroupfs and procfs are in-memory kernel
// data: they never block on disk, so synchronous reads into one reused buffer are the
// cheapest way in (no promise per file, no allocation per read). Sizes reported by stat
// are lies for these files, so we read until EOF instead.
import { closeSync, openSync, readSync } from 'node:fs'
import { constants } from 'node:os'
import { getSystemErrorMap } from 'node:util'
import { nativeAddon, type NativeAddon } from './native.js'

const INITIAL_SIZE = 64 * 1024
/** Most files one readMany call takes (the addon's limit). */
export const MAX_BATCH = 64
const SYSCALLS = ['open', 'read'] as const
const ENOENT = -constants.errno.ENOENT

/** What node:fs would have thrown: same message, errno, code, syscall and path. */
function systemError(errno: number, syscall: string, path: string | undefined): Error {
  const [code, text] = getSystemErrorMap().get(errno) ?? ['UNKNOWN', 'unknown error']
  const er = new Error(`${code}: ${text}, ${syscall}${path === undefined ? '' : ` '${path}'`}`)
  return Object.assign(er, path === undefined ? { errno, code, syscall } : { errno, code, syscall, path })
}

/** One file's bytes: buf[start, end), valid until the reader's next read. */
export interface Bytes {
  readonly buf: Buffer
  readonly start: number
  readonly end: number
}

/** The files of one readMany call; valid until the reader's next read. */
export class FileBatch {
  #dir = ''
  #names: readonly string[] = []
  #buf: Buffer
  readonly #out: Int32Array

  constructor(buf: Buffer, out: Int32Array) {
    this.#buf = buf
    this.#out = out
  }

  fill(dir: string, names: readonly string[], buf: Buffer): this {
    this.#dir = dir
    this.#names = names
    this.#buf = buf
    return this
  }

  #index(name: string): number {
    const i = this.#names.indexOf(name)
    if (i < 0) throw new Error(`${name} was not read with ${this.#dir}`)
    return i
  }

  /** Whether the file did not exist (ENOENT): how an absent optional file looks. */
  missing(name: string): boolean {
    return this.#out[2 * this.#index(name) + 1] === ENOENT
  }

  /** Like readBytes(`${dir}/${name}`): the bytes, or the error node:fs would have thrown. */
  read(name: string): Bytes {
    const i = this.#index(name)
    const at = this.#out[2 * i] ?? 0
    const length = this.#out[2 * i + 1] ?? 0
    if (length >= 0) return { buf: this.#buf, start: at, end: at + length }
    const syscall = SYSCALLS[at] ?? 'open'
    throw systemError(length, syscall, syscall === 'open' ? `${this.#dir}/${name}` : undefined)
  }
}

export interface PseudoFileReaderOptions {
  /** Use the native reader when it loads (default); false: node:fs only. */
  readonly native?: boolean
}

export class PseudoFileReader {
  #buf: Buffer = Buffer.allocUnsafe(INITIAL_SIZE)
  readonly #addon: NativeAddon | undefined
  readonly #out = new Int32Array(2 * MAX_BATCH)
  readonly #batch = new FileBatch(this.#buf, this.#out)

  constructor(opts: PseudoFileReaderOptions = {}) {
    this.#addon = opts.native === false ? undefined : nativeAddon()
  }

  /** Whether readMany goes through the native reader. */
  get native(): boolean {
    return this.#addon !== undefined
  }

  /**
   * Reads several files of one directory in one native call, each to EOF as readBytes does;
   * undefined without the native reader (the caller then reads file by file). A file that
   * cannot be read is an error of that file only, reported when it is asked for.
   */
  readMany(dir: string, names: readonly string[]): FileBatch | undefined {
    if (this.#addon === undefined) return undefined
    if (names.length > MAX_BATCH) throw new RangeError(`readMany takes at most ${MAX_BATCH} files`)
    while (this.#addon.readFiles(dir, names, this.#buf, this.#out) < names.length) {
      this.#buf = Buffer.allocUnsafe(this.#buf.length * 2)
    }
    return this.#batch.fill(dir, names, this.#buf)
  }

  /**
   * Reads the whole file; returns the buffer and the byte count, valid until the next read.
   * A read that returns less than asked for is the end of the file (seq_file, which backs
   * cgroupfs and procfs, fills the buffer unless it has no more), so a small file costs
   * open, one read and close: no second read to see 0 bytes.
   */
  readBytes(path: string): Bytes {
    const fd = openSync(path, 'r')
    try {
      let length = 0
      for (;;) {
        if (length === this.#buf.length) {
          const bigger = Buffer.allocUnsafe(this.#buf.length * 2)
          this.#buf.copy(bigger, 0, 0, length)
          this.#buf = bigger
        }
        const asked = this.#buf.length - length
        const n = readSync(fd, this.#buf, length, asked, null)
        length += n
        if (n < asked) return { buf: this.#buf, start: 0, end: length }
      }
    } finally {
      closeSync(fd)
    }
  }

  /** Reads the whole file as latin1 text (kernel files are ASCII). */
  readText(path: string): string {
    const { buf, start, end } = this.readBytes(path)
    return buf.toString('latin1', start, end)
  }
}
