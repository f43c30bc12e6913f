// Bounds on what memlens reads from the API server. The client library buffers a list body
// and a watch line without limit: a server (or anything in its place) that sends a 100 MB list
// or a watch stream without a newline exhausts the heap in seconds. Both are read here instead,
// counting bytes as they arrive and giving up past a cap.
import type { Readable } from 'node:stream'

/** A response or watch line beyond its cap: the `too_large` reason. */
export class TooLargeError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'TooLargeError'
  }
}

/** A cap as it is configured: 16 MiB, 64 KiB. */
export function formatBytes(bytes: number): string {
  if (bytes >= 2 ** 20 && bytes % 2 ** 20 === 0) return `${bytes / 2 ** 20} MiB`
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`
  return `${bytes} bytes`
}

/**
 * Reads a whole body, destroying the stream once more than `maxBytes` arrived in all, counting
 * `alreadyBytes` read before (the earlier pages of a list).
 */
export async function readCapped(
  body: Readable & { headers?: Record<string, unknown> },
  maxBytes: number,
  what: string,
  alreadyBytes = 0,
): Promise<Buffer> {
  const tooLarge = (): TooLargeError => {
    body.destroy()
    return new TooLargeError(`${what} is larger than ${formatBytes(maxBytes)}; gave up reading it`)
  }
  // A declared length past the cap fails before a byte is read.
  const declared = Number(body.headers?.['content-length'] ?? NaN)
  if (alreadyBytes + declared > maxBytes) throw tooLarge()
  const chunks: Buffer[] = []
  let bytes = 0
  for await (const chunk of body as AsyncIterable<Buffer>) {
    bytes += chunk.length
    if (alreadyBytes + bytes > maxBytes) throw tooLarge()
    chunks.push(chunk)
  }
  return Buffer.concat(chunks, bytes)
}

/**
 * Splits a byte stream into lines (without the newline), holding at most `maxLineBytes` of an
 * unfinished line. `push` throws TooLargeError past that; the caller drops the connection.
 */
export class LineSplitter {
  readonly #maxLineBytes: number
  readonly #onLine: (line: string) => void
  #pending: Buffer[] = []
  #pendingBytes = 0

  constructor(maxLineBytes: number, onLine: (line: string) => void) {
    this.#maxLineBytes = maxLineBytes
    this.#onLine = onLine
  }

  push(chunk: Buffer): void {
    let start = 0
    for (let nl = chunk.indexOf(10); nl !== -1; nl = chunk.indexOf(10, start)) {
      const part = chunk.subarray(start, nl)
      start = nl + 1
      this.#check(part.length)
      const line = this.#pendingBytes === 0 ? part : Buffer.concat([...this.#pending, part], this.#pendingBytes + part.length)
      this.#pending = []
      this.#pendingBytes = 0
      this.#onLine(line.toString('utf8'))
    }
    if (start < chunk.length) {
      const rest = chunk.subarray(start)
      this.#check(rest.length)
      this.#pending.push(rest)
      this.#pendingBytes += rest.length
    }
  }

  /** What is left after the stream ended: a last line without a newline. */
  end(): void {
    if (this.#pendingBytes === 0) return
    const line = Buffer.concat(this.#pending, this.#pendingBytes)
    this.#pending = []
    this.#pendingBytes = 0
    this.#onLine(line.toString('utf8'))
  }

  #check(moreBytes: number): void {
    if (this.#pendingBytes + moreBytes <= this.#maxLineBytes) return
    this.#pending = []
    this.#pendingBytes = 0
    throw new TooLargeError(`a watch event longer than ${formatBytes(this.#maxLineBytes)} (no newline)`)
  }
}
