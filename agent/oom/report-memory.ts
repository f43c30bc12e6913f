// The kernel's memory.stat at the kill, in the fields the samples use (docs/domain.md §2), so
// the classifier can read it like one more sample: the exact state at the kill.
//   v2:           anon, file, shmem, file_dirty, file_writeback, kernel (5.18+; else its parts)
//   v1 6.4+:      total_rss, total_cache, total_shmem, total_dirty, ... (hierarchical)
//   v1 before:    rss, cache, shmem, dirty, ... (kB lines summed over the subtree already)
// v1 prints no kernel figure in memory.stat: kernelBytes stays absent there.
import type { KernelOomReport } from './oom-report.js'
import { sumOf, type OomMemory } from './window.js'

const V2_KERNEL_PARTS = ['kernel_stack', 'pagetables', 'percpu', 'sock', 'vmalloc', 'slab'] as const

export function reportMemory(report: KernelOomReport): OomMemory {
  const s = report.stat
  const v2 = 'anon' in s || 'file' in s
  const v1 = (key: string): number | undefined => s[`total_${key}`] ?? s[key]
  const anon = v2 ? s['anon'] : v1('rss')
  const shmem = v2 ? s['shmem'] : v1('shmem')
  const dirty = v2 ? s['file_dirty'] : v1('dirty')
  const writeback = v2 ? s['file_writeback'] : v1('writeback')
  const unevictable = v2 ? s['unevictable'] : v1('unevictable')
  const kernel = v2 ? (s['kernel'] ?? sumOf(...V2_KERNEL_PARTS.map((k) => s[k]))) : undefined
  const kernelUnreclaimable = kernel === undefined ? undefined : Math.max(0, kernel - (s['slab_reclaimable'] ?? 0))
  return {
    usageBytes: report.usageBytes,
    limitBytes: report.limitBytes,
    rssBytes: anon,
    cacheBytes: v2 ? s['file'] : v1('cache'),
    activeFileBytes: v2 ? s['active_file'] : v1('active_file'),
    inactiveFileBytes: v2 ? s['inactive_file'] : v1('inactive_file'),
    dirtyBytes: dirty,
    writebackBytes: writeback,
    shmemBytes: shmem,
    kernelBytes: kernel,
    // docs/domain.md §2: anon + shmem + dirty + writeback + unevictable + (kernel − slab_reclaimable).
    unreclaimableBytes: anon === undefined ? undefined : sumOf(anon, shmem, dirty, writeback, unevictable, kernelUnreclaimable),
  }
}
