// The v1 and v2 files of one cgroup → one MemoryReading, with the formulas of
// docs/metrics.md. Pure: parsed values in, the model out.
import type { MemoryReading } from '../model.js'
import { V2_KERNEL_PARTS, type V1_FILES, type V2_FILES } from './files.js'
import { capAt, sumDefined, workingSet } from './formulas.js'
import type { ParsedFiles } from './read.js'

export function mapV1(f: ParsedFiles<typeof V1_FILES>): MemoryReading {
  const { usage, stat } = f
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
      limitBytes: f.limit,
      workingSetBytes: workingSet(usage, inactiveFile),
      rssBytes: rss,
      cacheBytes: stat.get('total_cache'),
      activeFileBytes: stat.get('total_active_file'),
      inactiveFileBytes: inactiveFile,
      dirtyBytes: dirty,
      writebackBytes: writeback,
      shmemBytes: shmem,
      mappedFileBytes: stat.get('total_mapped_file'),
      kernelBytes: f.kmem,
      swapBytes: stat.get('total_swap'),
      peakBytes: f.peak,
      unreclaimableBytes: unreclaimable,
    },
    events: { limitHits: f.failcnt, oomKills: f.oomControl?.get('oom_kill') },
    pressure: {},
  }
}

type V2Stat = ParsedFiles<typeof V2_FILES>['stat']

/** v2 `kernel` (5.18+), else the sum of its parts as the kernel documents them. */
function v2Kernel(stat: V2Stat): number | undefined {
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

export function mapV2(f: ParsedFiles<typeof V2_FILES>): MemoryReading {
  const { current: usage, stat, events, pressure } = f
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
      limitBytes: f.max,
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
      swapBytes: f.swap,
      peakBytes: f.peak,
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
