// The one seam for reading kernel pseudo-files. cgroupfs and procfs are in-memory kernel
// data: they never block on disk, so synchronous reads into one reused buffer are the
// cheapest way in (no promise per file, no allocation per read). Sizes reported by stat
// are lies for these files, so we read until EOF instead.
//
// Synchronous reads are only safe on what the kernel puts there, so anything else is refused
// before it can block or flood us (docs/metrics.md "Bad input"): files are opened non-blocking
// (a FIFO would block open() for good) and without following a symlink (cgroupfs and procfs
// have none; opening a device a link points at can have effects of its own), and at most
// maxFileBytes are read of one file (a link to /dev/zero never ends). A file that fails to
// read, reads as nothing or fills the buffer (what a FIFO, a directory or a device does, and a
// cgroup file never does) must be a regular file by fstat to be believed: one syscall on the
// odd file rather than on every file.
import { closeSync, constants as fsConstants, fstatSync, openSync, readdirSync, readSync } from 'node:fs'
import { constants } from 'node:os'
import { getSystemErrorMap } from 'node:util'
import { GONE_CODES, isGone, RefusedFileError } from './errors.js'
import { nativeAddon, type NativeAddon } from './native.js'

const INITIAL_SIZE = 64 * 1024
/** Most files one readMany call takes (the addon's limit). */
export const MAX_BATCH = 64
/**
 * Most bytes read of one file. A v2 memory.stat is ~2 KiB, /proc/PID/status ~1.5 KiB; the
 * largest file read per cgroup, cgroup.procs, holds 1 MiB / 8 bytes = 128k PIDs.
 */
export const MAX_FILE_BYTES = 1024 * 1024
const OPEN_FLAGS = fsConstants.O_RDONLY | fsConstants.O_NONBLOCK | fsConstants.O_NOFOLLOW
/** What out[2i] holds for a failed file (memlens_native.c): the step that failed. */
const FAILED = ['open', 'read', 'fstat', 'not regular', 'too large'] as const
const ENOENT = -constants.errno.ENOENT
/** What isGone (errors.ts) calls gone, as the native reader reports it: -errno of open. */
const GONE = new Set(
  Object.entries(constants.errno)
    .filter(([code]) => GONE_CODES.has(code))
    .map(([, errno]) => -errno),
)

// node:util builds this map anew on every call (~50 us): once is enough.
let errnoNames: ReturnType<typeof getSystemErrorMap> | undefined

/** What node:fs would have thrown: same message, errno, code, syscall and path. */
function systemError(errno: number, syscall: string, path: string | undefined): Error {
  errnoNames ??= getSystemErrorMap()
  const [code, text] = errnoNames.get(errno) ?? ['UNKNOWN', 'unknown error']
  const er = new Error(`${code}: ${text}, ${syscall}${path === undefined ? '' : ` '${path}'`}`)
  return Object.assign(er, path === undefined ? { errno, code, syscall } : { errno, code, syscall, path })
}

const FILE_TYPES: readonly (readonly [number, string])[] = [
  [fsConstants.S_IFIFO, 'a FIFO'],
  [fsConstants.S_IFCHR, 'a character device'],
  [fsConstants.S_IFDIR, 'a directory'],
  [fsConstants.S_IFBLK, 'a block device'],
  [fsConstants.S_IFSOCK, 'a socket'],
  [fsConstants.S_IFLNK, 'a symbolic link'],
]

/** The error for a file whose st_mode is not a regular file's. */
function notRegular(path: string, mode: number): RefusedFileError {
  const type = mode & fsConstants.S_IFMT
  const name = FILE_TYPES.find(([t]) => t === type)?.[1] ?? `file type 0o${type.toString(8)}`
  return new RefusedFileError('ENOTREG', path, `not a regular file (${name})`)
}

function tooLarge(path: string, maxBytes: number): RefusedFileError {
  return new RefusedFileError('EFBIG', path, `longer than ${maxBytes} bytes`)
}

/** Throws the refusal for a file that is not a regular file (asked only of odd files). */
function assertRegular(fd: number, path: string): void {
  const mode = fstatSync(fd).mode
  if ((mode & fsConstants.S_IFMT) !== fsConstants.S_IFREG) throw notRegular(path, mode)
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
  #maxBytes = MAX_FILE_BYTES
  readonly #out: Int32Array

  constructor(buf: Buffer, out: Int32Array) {
    this.#buf = buf
    this.#out = out
  }

  fill(dir: string, names: readonly string[], buf: Buffer, maxBytes: number): this {
    this.#dir = dir
    this.#names = names
    this.#buf = buf
    this.#maxBytes = maxBytes
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

  /** Whether opening the file said it is gone (isGone's codes): no error object is made. */
  gone(name: string): boolean {
    const i = this.#index(name)
    return this.#out[2 * i] === 0 && GONE.has(this.#out[2 * i + 1] ?? 0)
  }

  /** Like readBytes(`${dir}/${name}`): the bytes, or the error readBytes would have thrown. */
  read(name: string): Bytes {
    const i = this.#index(name)
    const at = this.#out[2 * i] ?? 0
    const length = this.#out[2 * i + 1] ?? 0
    if (length >= 0) return { buf: this.#buf, start: at, end: at + length }
    const path = `${this.#dir}/${name}`
    const failed = FAILED[at] ?? 'open'
    if (failed === 'not regular') throw notRegular(path, -length)
    if (failed === 'too large') throw tooLarge(path, this.#maxBytes)
    throw systemError(length, failed, failed === 'open' ? path : undefined)
  }
}

export interface PseudoFileReaderOptions {
  /** Use the native reader when it loads (default); false: node:fs only. */
  readonly native?: boolean
  /** Most bytes read of one file (default MAX_FILE_BYTES); a longer file is an EFBIG error. */
  readonly maxFileBytes?: number
}

export class PseudoFileReader {
  #buf: Buffer = Buffer.allocUnsafe(INITIAL_SIZE)
  readonly #addon: NativeAddon | undefined
  readonly #out = new Int32Array(2 * MAX_BATCH)
  readonly #batch = new FileBatch(this.#buf, this.#out)
  readonly #maxBytes: number

  constructor(opts: PseudoFileReaderOptions = {}) {
    this.#addon = opts.native === false ? undefined : nativeAddon()
    this.#maxBytes = opts.maxFileBytes ?? MAX_FILE_BYTES
    if (!Number.isInteger(this.#maxBytes) || this.#maxBytes < 1 || this.#maxBytes >= 2 ** 30) {
      throw new RangeError(`maxFileBytes must be an integer in [1, 2^30), not ${this.#maxBytes}`)
    }
  }

  /** The read buffer's size: what the reader holds on to (bounded by the cap, see readMany). */
  get bufferBytes(): number {
    return this.#buf.length
  }

  /** Whether readMany goes through the native reader. */
  get native(): boolean {
    return this.#addon !== undefined
  }

  /**
   * Reads several files of one directory in one native call, each to EOF as readBytes does;
   * undefined without the native reader (the caller then reads file by file). A file that
   * cannot be read or is refused is an error of that file only, reported when it is asked for.
   * The buffer grows to what the batch needs: at most names.length + 1 times the cap.
   */
  readMany(dir: string, names: readonly string[]): FileBatch | undefined {
    if (this.#addon === undefined) return undefined
    return this.#readNative(this.#addon, dir, names, this.#maxBytes)
  }

  #readNative(addon: NativeAddon, dir: string, names: readonly string[], maxBytes: number): FileBatch {
    if (names.length > MAX_BATCH) throw new RangeError(`readMany takes at most ${MAX_BATCH} files`)
    while (addon.readFiles(dir, names, this.#buf, this.#out, maxBytes) < names.length) {
      this.#buf = Buffer.allocUnsafe(this.#buf.length * 2)
    }
    return this.#batch.fill(dir, names, this.#buf, maxBytes)
  }

  /** One file through the native reader: a batch of one, and the name to ask it for. */
  #readOneNative(addon: NativeAddon, path: string, maxBytes: number): { batch: FileBatch; name: string } {
    const slash = path.lastIndexOf('/')
    const name = path.slice(slash + 1)
    return { batch: this.#readNative(addon, slash <= 0 ? '/' : path.slice(0, slash), [name], maxBytes), name }
  }

  /**
   * The names of a directory's subdirectories, sorted by name (as readdirSync returns them);
   * symbolic links are not followed and not listed. Throws what readdirSync throws (ENOENT for a cgroup that is gone).
   */
  listDirectories(path: string): string[] {
    if (this.#addon === undefined) {
      const names: string[] = []
      for (const e of readdirSync(path, { withFileTypes: true })) if (e.isDirectory()) names.push(e.name)
      return names
    }
    const r = this.#addon.listDirs(path)
    if (typeof r === 'number') throw systemError(r, 'scandir', path)
    return r
  }

  /**
   * Reads the whole file; returns the buffer and the byte count, valid until the next read.
   * A read that returns less than asked for is the end of the file (seq_file, which backs
   * cgroupfs and procfs, fills the buffer unless it has no more), so a small file costs
   * open, one read and close: no second read to see 0 bytes, and no fstat unless the file
   * looks odd (see the top of this file). Through the native reader when it loads. Throws
   * what node:fs throws, or a RefusedFileError for a file that is not regular or longer
   * than maxBytes.
   */
  readBytes(path: string, maxBytes = this.#maxBytes): Bytes {
    if (this.#addon !== undefined) {
      // One native call instead of three or four binding calls (open, read, close, fstat).
      const { batch, name } = this.#readOneNative(this.#addon, path, maxBytes)
      return batch.read(name)
    }
    const fd = openSync(path, OPEN_FLAGS)
    try {
      // One byte more than the cap tells a file over it from one that is exactly that long.
      const limit = maxBytes + 1
      let length = 0
      for (;;) {
        if (length === this.#buf.length) {
          assertRegular(fd, path)
          const bigger = Buffer.allocUnsafe(Math.min(this.#buf.length * 2, limit))
          this.#buf.copy(bigger, 0, 0, length)
          this.#buf = bigger
        }
        const asked = Math.min(this.#buf.length, limit) - length
        let n: number
        try {
          n = readSync(fd, this.#buf, length, asked, null)
        } catch (er) {
          assertRegular(fd, path)
          throw er
        }
        length += n
        if (n < asked) {
          if (length === 0) assertRegular(fd, path)
          return { buf: this.#buf, start: 0, end: length }
        }
        if (length === limit) {
          assertRegular(fd, path)
          throw tooLarge(path, maxBytes)
        }
      }
    } finally {
      closeSync(fd)
    }
  }

  /**
   * readBytes, but undefined for a file that is gone (a process that exited, a cgroup that was
   * removed: isGone's codes). Through the native reader no error is made for it at all, which
   * matters for /proc/PID/status of processes that come and go.
   */
  readIfPresent(path: string): Bytes | undefined {
    if (this.#addon !== undefined) {
      const { batch, name } = this.#readOneNative(this.#addon, path, this.#maxBytes)
      return batch.gone(name) ? undefined : batch.read(name)
    }
    try {
      return this.readBytes(path)
    } catch (er) {
      if (isGone(er)) return undefined
      throw er
    }
  }

  /** Reads the whole file as latin1 text (kernel files are ASCII). */
  readText(path: string, maxBytes = this.#maxBytes): string {
    const { buf, start, end } = this.readBytes(path, maxBytes)
    return buf.toString('latin1', start, end)
  }
}
