// The files memlens reads per cgroup, in read order, how each is parsed and which keys it
// keeps: the one list that drives reading (read.ts), the mapping to the model (map.ts) and
// the C floor of bench/. Kernel doc: admin-guide/cgroup-v1/memory.rst §5,
// admin-guide/cgroup-v2.rst "Memory Interface Files"; what each becomes: docs/metrics.md.
import type { CgroupVersion } from '../model.js'
import { FlatKeys } from '../kernel/parse-flat-keyed.js'

/** 'single': one value (`max` = none); 'flat': `key value` lines; 'psi': pressure totals. */
export type FileFormat = 'single' | 'flat' | 'psi'

export interface CgroupFile {
  readonly name: string
  readonly format: FileFormat
  /** The keys kept of a flat file. */
  readonly keys?: FlatKeys<string>
  /** A limit file: v1's "unlimited" (≥ 2^62) reads as no limit. */
  readonly limit?: true
  /** Must exist; a missing optional file (older kernel, accounting off) leaves its values absent. */
  readonly required?: true
}

const V1_STAT = new FlatKeys([
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

export const V2_KERNEL_PARTS = ['kernel_stack', 'pagetables', 'percpu', 'sock', 'vmalloc', 'slab'] as const
const V2_STAT = new FlatKeys([
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

// The first file of each version must exist: reading it first tells a vanished cgroup early.
export const V1_FILES = {
  usage: { name: 'memory.usage_in_bytes', format: 'single', required: true },
  limit: { name: 'memory.limit_in_bytes', format: 'single', limit: true, required: true },
  stat: { name: 'memory.stat', format: 'flat', keys: V1_STAT, required: true },
  peak: { name: 'memory.max_usage_in_bytes', format: 'single' },
  failcnt: { name: 'memory.failcnt', format: 'single' },
  oomControl: { name: 'memory.oom_control', format: 'flat', keys: new FlatKeys(['oom_kill'] as const) },
  kmem: { name: 'memory.kmem.usage_in_bytes', format: 'single' },
} as const satisfies Record<string, CgroupFile>

export const V2_FILES = {
  current: { name: 'memory.current', format: 'single', required: true },
  max: { name: 'memory.max', format: 'single', limit: true, required: true },
  stat: { name: 'memory.stat', format: 'flat', keys: V2_STAT, required: true },
  peak: { name: 'memory.peak', format: 'single' },
  events: { name: 'memory.events', format: 'flat', keys: new FlatKeys(['max', 'high', 'oom', 'oom_kill'] as const) },
  swap: { name: 'memory.swap.current', format: 'single' },
  pressure: { name: 'memory.pressure', format: 'psi' },
} as const satisfies Record<string, CgroupFile>

export type FileSet = Readonly<Record<string, CgroupFile>>

/** The file list as plain data, per version: what bench/ hands its C floor. */
export interface FileSpec {
  readonly name: string
  readonly format: FileFormat
  readonly keys?: readonly string[]
}

const plain = (files: FileSet): readonly FileSpec[] =>
  Object.values(files).map((f) =>
    f.keys === undefined ? { name: f.name, format: f.format } : { name: f.name, format: f.format, keys: f.keys.keys },
  )

export const READ_SPEC: Readonly<Record<CgroupVersion, readonly FileSpec[]>> = { v1: plain(V1_FILES), v2: plain(V2_FILES) }

/** The file names of READ_SPEC, per version. */
export const FILES: Readonly<Record<CgroupVersion, readonly string[]>> = {
  v1: READ_SPEC.v1.map((f) => f.name),
  v2: READ_SPEC.v2.map((f) => f.name),
}
