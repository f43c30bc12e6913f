// Reads one cgroup directory as files.ts lists its files and hands the parsed values to the
// v1 or v2 mapping (map.ts). Missing optional files (older kernels, swap accounting off, PSI
// off) leave their values absent. A cgroup that vanished mid-read throws CgroupGoneError; a
// required file missing from a directory that is still there throws MissingFileError, and a
// required flat file with none of the keys read (an empty memory.stat) is a ParseError: the
// kernel never writes either, and a cgroup must not lose its series without a word.
import { existsSync } from 'node:fs'
import { errorCode, isGone, ParseError } from '../kernel/errors.js'
import type { Bytes, PseudoFileReader } from '../kernel/fs.js'
import { parseFlatKeyed, type FlatKeyed, type FlatKeys } from '../kernel/parse-flat-keyed.js'
import { indexOf, lineText } from '../kernel/parse-number.js'
import { parsePressure, type PressureTotals } from '../kernel/parse-pressure.js'
import { limitOrUndefined, parseSingleValue, UNLIMITED } from '../kernel/parse-single-value.js'
import type { CgroupVersion, MemoryReading } from '../model.js'
import { FILES, V1_FILES, V2_FILES, type CgroupFile, type FileSet } from './files.js'
import { mapV1, mapV2 } from './map.js'

export class CgroupGoneError extends Error {
  readonly code = 'ECGROUPGONE'
  constructor(readonly dir: string) {
    super(`cgroup ${dir} vanished while it was read`)
    this.name = 'CgroupGoneError'
  }
}

/**
 * A required file is not in a cgroup directory that is still there. When it is the first file
 * (memory.current, memory.usage_in_bytes) of a cgroup outside the pod tree, the memory
 * controller is simply off there (or it is the v2 root, which has no memory.current): the
 * collector skips those quietly. Anywhere else it is counted.
 */
export class MissingFileError extends Error {
  readonly code = 'EMISSING'
  constructor(
    readonly path: string,
    /** Whether it is the first file of the set, the one every memory cgroup has. */
    readonly first: boolean,
  ) {
    super(
      `EMISSING: a required file is missing from a cgroup directory that exists${first ? ' (no memory controller here?)' : ''}, '${path}'`,
    )
    this.name = 'MissingFileError'
  }
}

/** What one file parses to: its value, its kept keys, or its pressure totals. */
type Parsed<F> = F extends { readonly format: 'flat'; readonly keys: FlatKeys<infer K> }
  ? FlatKeyed<K>
  : F extends { readonly format: 'psi' }
    ? PressureTotals
    : number
/** A set of files, parsed; an optional file that is missing is undefined, and so is `max`. */
export type ParsedFiles<S extends FileSet> = {
  readonly [N in keyof S]: S[N] extends { readonly required: true; readonly format: 'flat' } ? Parsed<S[N]> : Parsed<S[N]> | undefined
}

/** What a cgroup reader needs: where the hierarchy is and a reusable file reader. */
export interface ReadContext {
  readonly root: string
  readonly version: CgroupVersion
  readonly reader: PseudoFileReader
}

export function readCgroup(ctx: ReadContext, id: string): MemoryReading {
  const dir = id === '/' ? ctx.root : ctx.root + id
  try {
    return ctx.version === 'v1'
      ? mapV1(readFiles(ctx.reader, dir, V1_FILES, FILES.v1))
      : mapV2(readFiles(ctx.reader, dir, V2_FILES, FILES.v2))
  } catch (er) {
    if (isGone(er)) throw new CgroupGoneError(dir)
    throw er
  }
}

/**
 * Reads and parses every file of the set. With the native reader all of them are read up
 * front in one call (kernel/fs.ts readMany); without it each file is read and parsed before
 * the next. Values, errors and absences are the same either way.
 */
export function readFiles<S extends FileSet>(reader: PseudoFileReader, dir: string, files: S, names: readonly string[]): ParsedFiles<S> {
  const batch = reader.readMany(dir, names)
  let sawMissing = false
  const read = (f: CgroupFile): Bytes | undefined => {
    try {
      return batch === undefined ? reader.readBytes(`${dir}/${f.name}`) : batch.read(f.name)
    } catch (er) {
      if (errorCode(er) !== 'ENOENT') throw er
      if (f.required === true) {
        if (!existsSync(dir)) throw new CgroupGoneError(dir)
        throw new MissingFileError(`${dir}/${f.name}`, f.name === names[0])
      }
      sawMissing = true
      return undefined
    }
  }
  const out: Record<string, unknown> = {}
  for (const key in files) {
    const f = files[key]
    if (f === undefined) continue
    const r = read(f)
    out[key] = r === undefined ? undefined : parse(f, r)
  }
  // A missing optional file is normal, unless the whole cgroup is gone.
  if (sawMissing && !existsSync(dir)) throw new CgroupGoneError(dir)
  return out as ParsedFiles<S>
}

function parse(f: CgroupFile, r: Bytes): number | FlatKeyed<string> | PressureTotals | undefined {
  switch (f.format) {
    case 'single': {
      const v = parseSingleValue(r.buf, r.start, r.end, f.name)
      if (f.limit === true) return limitOrUndefined(v)
      return v === UNLIMITED ? undefined : v
    }
    case 'flat': {
      if (f.keys === undefined) throw new Error(`${f.name}: a flat file needs its keys`)
      const parsed = parseFlatKeyed(r.buf, r.start, r.end, f.name, f.keys)
      if (f.required === true && parsed.values.every((v) => v === undefined)) {
        const first = lineText(r.buf, r.start, indexOf(r.buf, 10, r.start, r.end))
        throw new ParseError(
          f.name,
          1,
          first,
          r.start === r.end ? 'empty, but the kernel always fills it' : `none of the keys read (${f.keys.keys.join(', ')})`,
        )
      }
      return parsed
    }
    case 'psi':
      return parsePressure(r.buf, r.start, r.end, f.name)
  }
}
