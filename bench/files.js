// The one list of the files memlens reads per cgroup, shared by the tree generator (checks the
// captures have them), the C floor (what to open, read and parse) and run.js (which checks it
// against the agent's own FILES in agent/cgroup/read.ts and the files the agent really opens,
// and says so when they drift). Keys are the memory.stat/events keys read.ts keeps.
//
// format: 'single' - one value ('max' means none); 'flat' - `key value` lines, only `keys`
// are kept; 'psi' - `some|full avg10=.. avg60=.. avg300=.. total=N`, the totals are kept.

/** @typedef {{ name: string, format: 'single' | 'flat' | 'psi', keys?: readonly string[] }} FileSpec */

/** @type {{ readonly v1: readonly FileSpec[], readonly v2: readonly FileSpec[] }} */
export const FILES = Object.freeze({
  v1: Object.freeze([
    { name: 'memory.usage_in_bytes', format: 'single' },
    { name: 'memory.limit_in_bytes', format: 'single' },
    {
      name: 'memory.stat',
      format: 'flat',
      keys: [
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
      ],
    },
    { name: 'memory.max_usage_in_bytes', format: 'single' },
    { name: 'memory.failcnt', format: 'single' },
    { name: 'memory.oom_control', format: 'flat', keys: ['oom_kill'] },
    { name: 'memory.kmem.usage_in_bytes', format: 'single' },
  ]),
  v2: Object.freeze([
    { name: 'memory.current', format: 'single' },
    { name: 'memory.max', format: 'single' },
    {
      name: 'memory.stat',
      format: 'flat',
      keys: [
        'anon',
        'file',
        'kernel',
        'kernel_stack',
        'pagetables',
        'percpu',
        'sock',
        'vmalloc',
        'shmem',
        'file_mapped',
        'file_dirty',
        'file_writeback',
        'inactive_file',
        'active_file',
        'unevictable',
        'slab_reclaimable',
        'slab_unreclaimable',
        'slab',
      ],
    },
    { name: 'memory.peak', format: 'single' },
    { name: 'memory.events', format: 'flat', keys: ['max', 'high', 'oom', 'oom_kill'] },
    { name: 'memory.swap.current', format: 'single' },
    { name: 'memory.pressure', format: 'psi' },
  ]),
})

/** Real captures (Linux 6.18) every generated cgroup directory is populated from. */
export const CAPTURES = Object.freeze({
  v1: 'test/fixtures/captures/cgroup-v1-linux-6.18-after-write',
  v2: 'test/fixtures/captures/cgroup-v2-linux-6.18-idle',
})

/**
 * The file list as arguments for bench/out/floor: `name:format[:key,key,...]`.
 * @param {'v1' | 'v2'} version
 * @returns {string[]}
 */
export function floorArgs(version) {
  return FILES[version].map((f) => [f.name, f.format, ...(f.keys ? [f.keys.join(',')] : [])].join(':'))
}
