// Flat keyed files: one `key value` pair per line.
//   memory.stat (v1):   total_dirty 22020096
//   memory.stat (v2):   file_dirty 86016
//   memory.events (v2): oom_kill 2        memory.oom_control (v1): under_oom 0
// Kernel doc: Documentation/admin-guide/cgroup-v2.rst "Format" (flat keyed) and
// Documentation/admin-guide/cgroup-v1/memory.rst §5.2.
//
// Parsed from the bytes as read: each key is hashed while it is scanned and looked up among
// the keys asked for, so the ~70 lines of a v2 memory.stat cost no string at all. Only the
// keys asked for are parsed, so a new kernel's new keys never break us; a line that is not
// `key value` at all, a wanted key whose value is not an integer the kernel prints (negative,
// 2^63 or more: parse-number.ts), or a wanted key printed twice (which value would be true?)
// is an error.
import { ParseError } from './errors.js'
import { indexOf, lineText, parseInteger } from './parse-number.js'

const NEWLINE = 10
const SPACE = 32

function hashBytes(data: Uint8Array, start: number, end: number): number {
  let h = 0
  for (let i = start; i < end; i++) h = (Math.imul(h, 31) + (data[i] ?? 0)) | 0
  return h
}

/** The keys one file is read for, compiled once. */
export class FlatKeys<K extends string> {
  readonly keys: readonly K[]
  readonly #bytes: readonly Buffer[]
  readonly #byHash = new Map<number, number>()
  readonly #byName: ReadonlyMap<K, number>

  constructor(keys: readonly K[]) {
    this.keys = keys
    this.#byName = new Map(keys.map((k, i) => [k, i]))
    this.#bytes = keys.map((k) => Buffer.from(k, 'latin1'))
    this.#bytes.forEach((b, i) => {
      const h = hashBytes(b, 0, b.length)
      if (this.#byHash.has(h)) throw new Error(`FlatKeys: ${keys[i]} collides with ${keys[this.#byHash.get(h) ?? 0]}`)
      this.#byHash.set(h, i)
    })
  }

  position(key: K): number {
    return this.#byName.get(key) ?? -1
  }

  /** Index of the key data[start, end), or -1 when it is not one of ours. */
  indexOf(data: Uint8Array, start: number, end: number): number {
    const i = this.#byHash.get(hashBytes(data, start, end))
    if (i === undefined) return -1
    const key = this.#bytes[i]
    if (key === undefined || key.length !== end - start) return -1
    for (let j = 0; j < key.length; j++) if (key[j] !== data[start + j]) return -1
    return i
  }
}

/** Parsed values by key; absent keys are undefined. */
export class FlatKeyed<K extends string> {
  constructor(
    readonly keys: FlatKeys<K>,
    readonly values: readonly (number | undefined)[],
  ) {}

  get(key: K): number | undefined {
    return this.values[this.keys.position(key)]
  }

  /** The keys found, in the order they were asked for. */
  entries(): [K, number][] {
    const out: [K, number][] = []
    this.keys.keys.forEach((k, i) => {
      const v = this.values[i]
      if (v !== undefined) out.push([k, v])
    })
    return out
  }
}

/** Parses data[start, end): one file's bytes, wherever they sit in the read buffer. */
export function parseFlatKeyed<K extends string>(
  data: Uint8Array,
  start: number,
  end: number,
  file: string,
  keys: FlatKeys<K>,
): FlatKeyed<K> {
  const values: (number | undefined)[] = new Array<number | undefined>(keys.keys.length).fill(undefined)
  let lineStart = start
  let lineNumber = 0
  while (lineStart < end) {
    const lineEnd = indexOf(data, NEWLINE, lineStart, end)
    lineNumber++
    if (lineEnd > lineStart) {
      const space = indexOf(data, SPACE, lineStart, lineEnd)
      if (space === lineEnd || space === lineStart) {
        throw new ParseError(file, lineNumber, lineText(data, lineStart, lineEnd), 'expected "key value"')
      }
      const index = keys.indexOf(data, lineStart, space)
      if (index !== -1) {
        const value = parseInteger(data, space + 1, lineEnd)
        if (value === undefined) {
          throw new ParseError(
            file,
            lineNumber,
            lineText(data, lineStart, lineEnd),
            `value of ${keys.keys[index]} is not an integer in [0, 2^63)`,
          )
        }
        if (values[index] !== undefined)
          throw new ParseError(file, lineNumber, lineText(data, lineStart, lineEnd), `${keys.keys[index]} appears twice`)
        values[index] = value
      }
    }
    lineStart = lineEnd + 1
  }
  return new FlatKeyed(keys, values)
}
