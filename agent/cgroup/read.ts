// One cgroup's memory files → one MemoryReading, v1 and v2 mapped to the same model with the
// formulas of docs/metrics.md. Missing optional files (older kernels, swap accounting off,
// PSI off) leave their values absent. A cgroup that vanished mid-read throws CgroupGoneError.
import { existsSync } from 'node:fs'
import { errorCode, isGone } from '../errors.js'
import type { Bytes, FileBatch, PseudoFileReader } from '../fs.js'
import type { CgroupVersion, MemoryReading } from '../model.js'
import { FlatKeys, parseFlatKeyed, type FlatKeyed } from './parse-flat-keyed.js'
import { parsePressure, type PressureTotals } from './parse-pressure.js'
import { limitOrUndefined, parseSingleValue, UNLIMITED } from './parse-single-value.js'

export class CgroupGoneError extends Error {
  readonly code = 'ECGROUPGONE'
  constructor(readonly dir: string) {
    super(`cgroup ${dir} vanished while it was read`)
    this.name = 'CgroupGoneError'
  }
}

const V1_STAT_KEYS = new FlatKeys([
  'total_cache',
  'total_rss',
  'total_shmem',
  'total_mapped_file',
  'total_dirty',
  'total_writeback',
  'total_swap',
  'total_inactive_file',
  'total_active_file',
  'total_unevictable',
] as const)
const V1_OOM_KEYS = new FlatKeys(['oom_kill'] as const)

const V2_KERNEL_PARTS = ['kernel_stack', 'pagetables', 'percpu', 'sock', 'vmalloc', 'slab'] as const
const V2_STAT_KEYS = new FlatKeys([
  'anon',
  'file',
  'kernel',
  ...V2_KERNEL_PARTS,
  'shmem',
  'file_mapped',
  'file_dirty',
  'file_writeback',
  'inactive_file',
  'active_file',
  'unevictable',
  'slab_reclaimable',
  'slab_unreclaimable',
] as const)
const V2_EVENT_KEYS = new FlatKeys(['max', 'high', 'oom', 'oom_kill'] as const)
type V2StatKey = (typeof V2_STAT_KEYS.keys)[number]

/** How a file is parsed: one value, `key value` lines (only `keys` kept), or PSI totals. */
export type FileFormat = 'single' | 'flat' | 'psi'

export interface FileSpec {
  readonly name: string
  readonly format: FileFormat
  readonly keys?: readonly string[]
}

/**
 * The files memlens reads per cgroup, in read order (the first one must exist), with the keys
 * it keeps: the one list, also what bench/ hands its C floor so both read the same.
 */
export const READ_SPEC: Readonly<Record<CgroupVersion, readonly FileSpec[]>> = {
  v1: [
    { name: 'memory.usage_in_bytes', format: 'single' },
    { name: 'memory.limit_in_bytes', format: 'single' },
    { name: 'memory.stat', format: 'flat', keys: V1_STAT_KEYS.keys },
    { name: 'memory.max_usage_in_bytes', format: 'single' },
    { name: 'memory.failcnt', format: 'single' },
    { name: 'memory.oom_control', format: 'flat', keys: V1_OOM_KEYS.keys },
    { name: 'memory.kmem.usage_in_bytes', format: 'single' },
  ],
  v2: [
    { name: 'memory.current', format: 'single' },
    { name: 'memory.max', format: 'single' },
    { name: 'memory.stat', format: 'flat', keys: V2_STAT_KEYS.keys },
    { name: 'memory.peak', format: 'single' },
    { name: 'memory.events', format: 'flat', keys: V2_EVENT_KEYS.keys },
    { name: 'memory.swap.current', format: 'single' },
    { name: 'memory.pressure', format: 'psi' },
  ],
}

/** The file names of READ_SPEC, per version. */
export const FILES: Readonly<Record<CgroupVersion, readonly string[]>> = {
  v1: READ_SPEC.v1.map((f) => f.name),
  v2: READ_SPEC.v2.map((f) => f.name),
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
    return ctx.version === 'v1' ? readV1(ctx.reader, dir) : readV2(ctx.reader, dir)
  } catch (er) {
    if (isGone(er)) throw new CgroupGoneError(dir)
    throw er
  }
}

/**
 * One cgroup directory's files. With the native reader all of them are read up front in one
 * call (fs.ts readMany); without it each parse* reads its file and parses it before the next
 * read. Values, errors and absences are the same either way.
 */
class DirReader {
  /** Set when an optional file was missing: the cgroup may have vanished mid-read. */
  sawMissing = false
  readonly #batch: FileBatch | undefined
  constructor(
    readonly reader: PseudoFileReader,
    readonly dir: string,
    names: readonly string[],
  ) {
    this.#batch = reader.readMany(dir, names)
  }

  #read(name: string): Bytes {
    return this.#batch === undefined ? this.reader.readBytes(`${this.dir}/${name}`) : this.#batch.read(name)
  }

  /** Undefined when the file does not exist (ENOENT); any other failure throws. */
  #readOptional(name: string): Bytes | undefined {
    const batch = this.#batch
    if (batch !== undefined) {
      if (!batch.missing(name)) return batch.read(name)
      this.sawMissing = true
      return undefined
    }
    try {
      return this.reader.readBytes(`${this.dir}/${name}`)
    } catch (er) {
      if (errorCode(er) !== 'ENOENT') throw er
      this.sawMissing = true
      return undefined
    }
  }

  /** A single-value file; `max` and a missing optional file are undefined. */
  value(name: string, optional = false): number | undefined {
    const r = optional ? this.#readOptional(name) : this.#read(name)
    if (r === undefined) return undefined
    const v = parseSingleValue(r.buf, r.start, r.end, name)
    return v === UNLIMITED ? undefined : v
  }

  limit(name: string): number | undefined {
    const r = this.#read(name)
    return limitOrUndefined(parseSingleValue(r.buf, r.start, r.end, name))
  }

  flat<K extends string>(name: string, keys: FlatKeys<K>): FlatKeyed<K> {
    const r = this.#read(name)
    return parseFlatKeyed(r.buf, r.start, r.end, name, keys)
  }

  optionalFlat<K extends string>(name: string, keys: FlatKeys<K>): FlatKeyed<K> | undefined {
    const r = this.#readOptional(name)
    return r === undefined ? undefined : parseFlatKeyed(r.buf, r.start, r.end, name, keys)
  }

  pressure(name: string): PressureTotals | undefined {
    const r = this.#readOptional(name)
    return r === undefined ? undefined : parsePressure(r.buf, r.start, r.end, name)
  }

  /** A missing optional file is normal, unless the whole cgroup is gone. */
  checkStillThere(): void {
    if (this.sawMissing && !existsSync(this.dir)) throw new CgroupGoneError(this.dir)
  }
}

function sumDefined(...values: (number | undefined)[]): number | undefined {
  let sum = 0
  for (const v of values) {
    if (v === undefined) return undefined
    sum += v
  }
  return sum
}

/** Working set exactly as cAdvisor's setMemoryStats: usage − inactive_file, floored at 0. */
export function workingSet(usage: number | undefined, inactiveFile: number | undefined): number | undefined {
  if (usage === undefined) return undefined
  if (inactiveFile === undefined) return usage
  return usage < inactiveFile ? 0 : usage - inactiveFile
}

function capAt(value: number | undefined, cap: number | undefined): number | undefined {
  if (value === undefined || cap === undefined) return value
  return Math.min(value, cap)
}

function readV1(reader: PseudoFileReader, dir: string): MemoryReading {
  const d = new DirReader(reader, dir, FILES.v1)
  const usage = d.value('memory.usage_in_bytes')
  const limit = d.limit('memory.limit_in_bytes')
  const stat = d.flat('memory.stat', V1_STAT_KEYS)
  const peak = d.value('memory.max_usage_in_bytes', true)
  const failcnt = d.value('memory.failcnt', true)
  const oom = d.optionalFlat('memory.oom_control', V1_OOM_KEYS)
  const kernel = d.value('memory.kmem.usage_in_bytes', true)
  d.checkStillThere()

  const inactiveFile = stat.get('total_inactive_file')
  const rss = stat.get('total_rss')
  const shmem = stat.get('total_shmem')
  const dirty = stat.get('total_dirty')
  const writeback = stat.get('total_writeback')
  // v1 memory.stat has no slab_reclaimable split, so no kernel term is added on v1.
  const unreclaimable = capAt(sumDefined(rss, shmem, dirty, writeback, stat.get('total_unevictable')), usage)
  return {
    memory: {
      usageBytes: usage,
      limitBytes: limit,
      workingSetBytes: workingSet(usage, inactiveFile),
      rssBytes: rss,
      cacheBytes: stat.get('total_cache'),
      activeFileBytes: stat.get('total_active_file'),
      inactiveFileBytes: inactiveFile,
      dirtyBytes: dirty,
      writebackBytes: writeback,
      shmemBytes: shmem,
      mappedFileBytes: stat.get('total_mapped_file'),
      kernelBytes: kernel,
      swapBytes: stat.get('total_swap'),
      peakBytes: peak,
      unreclaimableBytes: unreclaimable,
    },
    events: { limitHits: failcnt, oomKills: oom?.get('oom_kill') },
    pressure: {},
  }
}

/** v2 `kernel` (5.18+), else the sum of its parts as the kernel documents them. */
function v2Kernel(stat: FlatKeyed<V2StatKey>): number | undefined {
  const kernel = stat.get('kernel')
  if (kernel !== undefined) return kernel
  let sum: number | undefined
  for (const part of V2_KERNEL_PARTS) {
    let v = stat.get(part)
    if (part === 'slab' && v === undefined) v = sumDefined(stat.get('slab_reclaimable'), stat.get('slab_unreclaimable'))
    if (v !== undefined) sum = (sum ?? 0) + v
  }
  return sum
}

function readV2(reader: PseudoFileReader, dir: string): MemoryReading {
  const d = new DirReader(reader, dir, FILES.v2)
  const usage = d.value('memory.current')
  const limit = d.limit('memory.max')
  const stat = d.flat('memory.stat', V2_STAT_KEYS)
  const peak = d.value('memory.peak', true)
  const events = d.optionalFlat('memory.events', V2_EVENT_KEYS)
  const swap = d.value('memory.swap.current', true)
  const pressure = d.pressure('memory.pressure')
  d.checkStillThere()

  const inactiveFile = stat.get('inactive_file')
  const anon = stat.get('anon')
  const shmem = stat.get('shmem')
  const dirty = stat.get('file_dirty')
  const writeback = stat.get('file_writeback')
  const kernel = v2Kernel(stat)
  const slabReclaimable = stat.get('slab_reclaimable') ?? 0
  const kernelUnreclaimable = kernel === undefined ? undefined : Math.max(0, kernel - slabReclaimable)
  const unreclaimable = capAt(sumDefined(anon, shmem, dirty, writeback, stat.get('unevictable'), kernelUnreclaimable), usage)
  return {
    memory: {
      usageBytes: usage,
      limitBytes: limit,
      workingSetBytes: workingSet(usage, inactiveFile),
      rssBytes: anon,
      cacheBytes: stat.get('file'),
      activeFileBytes: stat.get('active_file'),
      inactiveFileBytes: inactiveFile,
      dirtyBytes: dirty,
      writebackBytes: writeback,
      shmemBytes: shmem,
      mappedFileBytes: stat.get('file_mapped'),
      kernelBytes: kernel,
      swapBytes: swap,
      peakBytes: peak,
      unreclaimableBytes: unreclaimable,
    },
    events: {
      limitHits: events?.get('max'),
      high: events?.get('high'),
      oom: events?.get('oom'),
      oomKills: events?.get('oom_kill'),
    },
    pressure: {
      waitingSeconds: pressure?.someMicros === undefined ? undefined : pressure.someMicros / 1e6,
      stalledSeconds: pressure?.fullMicros === undefined ? undefined : pressure.fullMicros / 1e6,
    },
  }
}
