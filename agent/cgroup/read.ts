// One cgroup's memory files → one MemoryReading, v1 and v2 mapped to the same model with the
// formulas of docs/metrics.md. Missing optional files (older kernels, swap accounting off,
// PSI off) leave their values absent. A cgroup that vanished mid-read throws CgroupGoneError.
import { existsSync } from 'node:fs'
import { isGone } from '../errors.js'
import type { PseudoFileReader } from '../fs.js'
import type { CgroupVersion, MemoryReading } from '../model.js'
import { parseFlatKeyed, type FlatKeyed } from './parse-flat-keyed.js'
import { parsePressure } from './parse-pressure.js'
import { limitOrUndefined, parseSingleValue, UNLIMITED } from './parse-single-value.js'

export class CgroupGoneError extends Error {
  readonly code = 'ECGROUPGONE'
  constructor(readonly dir: string) {
    super(`cgroup ${dir} vanished while it was read`)
    this.name = 'CgroupGoneError'
  }
}

/** The files memlens reads per cgroup, in read order; the first one must exist. */
export const FILES = {
  v1: [
    'memory.usage_in_bytes',
    'memory.limit_in_bytes',
    'memory.stat',
    'memory.max_usage_in_bytes',
    'memory.failcnt',
    'memory.oom_control',
    'memory.kmem.usage_in_bytes',
  ],
  v2: [
    'memory.current',
    'memory.max',
    'memory.stat',
    'memory.peak',
    'memory.events',
    'memory.swap.current',
    'memory.pressure',
  ],
} as const satisfies Record<CgroupVersion, readonly string[]>

const V1_STAT_KEYS = new Set([
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
])
const V1_OOM_KEYS = new Set(['oom_kill'])

const V2_KERNEL_PARTS = ['kernel_stack', 'pagetables', 'percpu', 'sock', 'vmalloc', 'slab'] as const
const V2_STAT_KEYS = new Set([
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
])
const V2_EVENT_KEYS = new Set(['max', 'high', 'oom', 'oom_kill'])

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

class DirReader {
  /** Set when an optional file was missing: the cgroup may have vanished mid-read. */
  sawMissing = false
  constructor(
    readonly reader: PseudoFileReader,
    readonly dir: string,
  ) {}

  text(name: string): string {
    return this.reader.readText(`${this.dir}/${name}`)
  }

  optionalText(name: string): string | undefined {
    const text = this.reader.readOptionalText(`${this.dir}/${name}`)
    if (text === undefined) this.sawMissing = true
    return text
  }

  /** A missing optional file is normal, unless the whole cgroup is gone. */
  checkStillThere(): void {
    if (this.sawMissing && !existsSync(this.dir)) throw new CgroupGoneError(this.dir)
  }
}

function value(file: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined
  const v = parseSingleValue(text, file)
  return v === UNLIMITED ? undefined : v
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
  const d = new DirReader(reader, dir)
  const usage = value('memory.usage_in_bytes', d.text('memory.usage_in_bytes'))
  const limit = limitOrUndefined(parseSingleValue(d.text('memory.limit_in_bytes'), 'memory.limit_in_bytes'))
  const stat = parseFlatKeyed(d.text('memory.stat'), 'memory.stat', V1_STAT_KEYS)
  const peak = value('memory.max_usage_in_bytes', d.optionalText('memory.max_usage_in_bytes'))
  const failcnt = value('memory.failcnt', d.optionalText('memory.failcnt'))
  const oomText = d.optionalText('memory.oom_control')
  const oom: FlatKeyed | undefined = oomText === undefined ? undefined : parseFlatKeyed(oomText, 'memory.oom_control', V1_OOM_KEYS)
  const kernel = value('memory.kmem.usage_in_bytes', d.optionalText('memory.kmem.usage_in_bytes'))
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
function v2Kernel(stat: FlatKeyed): number | undefined {
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
  const d = new DirReader(reader, dir)
  const usage = value('memory.current', d.text('memory.current'))
  const limit = limitOrUndefined(parseSingleValue(d.text('memory.max'), 'memory.max'))
  const stat = parseFlatKeyed(d.text('memory.stat'), 'memory.stat', V2_STAT_KEYS)
  const peak = value('memory.peak', d.optionalText('memory.peak'))
  const eventsText = d.optionalText('memory.events')
  const events = eventsText === undefined ? undefined : parseFlatKeyed(eventsText, 'memory.events', V2_EVENT_KEYS)
  const swap = value('memory.swap.current', d.optionalText('memory.swap.current'))
  const pressureText = d.optionalText('memory.pressure')
  const pressure = pressureText === undefined ? undefined : parsePressure(pressureText, 'memory.pressure')
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
