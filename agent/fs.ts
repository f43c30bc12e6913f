// The one seam for reading kernel pseudo-files. cgroupfs and procfs are in-memory kernel
// data: they never block on disk, so synchronous reads into one reused buffer are the
// cheapest way in (no promise per file, no allocation per read). Sizes reported by stat
// are lies for these files, so we read until EOF instead.
import { closeSync, openSync, readSync } from 'node:fs'

const INITIAL_SIZE = 64 * 1024

export class PseudoFileReader {
  #buf: Buffer = Buffer.allocUnsafe(INITIAL_SIZE)

  /**
   * Reads the whole file; returns the buffer and the byte count, valid until the next read.
   * A read that returns less than asked for is the end of the file (seq_file, which backs
   * cgroupfs and procfs, fills the buffer unless it has no more), so a small file costs
   * open, one read and close: no second read to see 0 bytes.
   */
  readBytes(path: string): { readonly buf: Buffer; readonly length: number } {
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
        if (n < asked) return { buf: this.#buf, length }
      }
    } finally {
      closeSync(fd)
    }
  }

  /** Reads the whole file as latin1 text (kernel files are ASCII). */
  readText(path: string): string {
    const { buf, length } = this.readBytes(path)
    return buf.toString('latin1', 0, length)
  }
}
