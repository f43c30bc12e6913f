// The /metrics body, built once per collection cycle and kept gzip-compressed: 2,500
// cgroups make ~13 MB of text, which compresses ~30x (the label sets repeat), so the agent
// holds ~0.5 MB between cycles instead of 13 MB. Rendering streams family by family into
// zlib, whose work runs on libuv's thread pool, not the event loop. Prometheus asks for
// gzip; a client without gzip gets the text, decompressed once (also on the thread pool)
// when the first such client asks and then shared: decompressing per request cost 40 ms of
// CPU and a stream's buffers for each of them.
import { constants, createGzip, gunzip } from 'node:zlib'
import { promisify } from 'node:util'

const gunzipAsync = promisify(gunzip)

/** One rendered /metrics body; the agent drops it when the next collection arrives. */
export class PublishedMetrics {
  #text: Promise<Buffer> | undefined

  constructor(
    readonly gzipped: Buffer,
    /** Uncompressed size, for logs and tests. */
    readonly textBytes: number,
  ) {}

  /**
   * The uncompressed body, for clients without gzip. Kept from the first such request for
   * as long as this object lives (until the next collection): the text's size in memory,
   * ~13 MB at 2,500 cgroups, only while someone scrapes without gzip.
   */
  async text(): Promise<Buffer> {
    this.#text ??= gunzipAsync(this.gzipped)
    return await this.#text
  }
}

/**
 * Compresses `head` and then every chunk the steps yield. A chunk is consumed before the
 * next step runs, so steps may hand out views of one reused buffer.
 */
export async function publish(head: string, steps: Iterator<Buffer, void, undefined>): Promise<PublishedMetrics> {
  // Level 1: a third of the CPU of the default level for nearly the same size on this text.
  const gz = createGzip({ level: 1, memLevel: 9, chunkSize: 64 * 1024, strategy: constants.Z_DEFAULT_STRATEGY })
  const out: Buffer[] = []
  gz.on('data', (b: Buffer) => out.push(b))
  const ended = new Promise<void>((resolve, reject) => {
    gz.once('end', resolve)
    gz.once('error', reject)
  })
  let textBytes = 0
  const write = (chunk: Buffer | string): Promise<void> =>
    new Promise((resolve, reject) => {
      textBytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length
      gz.write(chunk, (er) => (er ? reject(er) : resolve()))
    })
  await write(head)
  for (let r = steps.next(); r.done !== true; r = steps.next()) {
    if (r.value.length > 0) await write(r.value)
  }
  gz.end()
  await ended
  return new PublishedMetrics(Buffer.concat(out), textBytes)
}

/** Whether an Accept-Encoding header allows gzip (RFC 9110 §12.5.3: `gzip` or `*`, q > 0). */
export function acceptsGzip(acceptEncoding: string | undefined): boolean {
  for (const part of (acceptEncoding ?? '').split(',')) {
    const [coding = '', ...params] = part.split(';').map((p) => p.trim().toLowerCase())
    if (coding !== 'gzip' && coding !== '*') continue
    const q = params.find((p) => p.startsWith('q='))
    if (q === undefined || Number(q.slice(2)) > 0) return true
  }
  return false
}
