import { cpSync, rmSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { FILES } from '../../agent/cgroup/files.js'
import { workingSet } from '../../agent/cgroup/formulas.js'
import { CgroupGoneError, readCgroup, type ReadContext } from '../../agent/cgroup/read.js'
import { ParseError } from '../../agent/kernel/errors.js'
import { testReader } from '../helpers/reader.js'

const captures = fileURLToPath(new URL('../fixtures/captures', import.meta.url))
const ctx = (root: string, version: 'v1' | 'v2'): ReadContext => ({ root, version, reader: testReader() })

t.test('v1 capture after a 1.2 GB write: every number traced by hand from the files', async (t) => {
  const r = readCgroup(ctx(captures, 'v1'), '/cgroup-v1-linux-6.18-after-write')
  t.same(r.memory, {
    usageBytes: 95981568,
    limitBytes: 209715200,
    workingSetBytes: 95981568 - 93200384,
    rssBytes: 0,
    cacheBytes: 93425664,
    activeFileBytes: 225280,
    inactiveFileBytes: 93200384,
    dirtyBytes: 22020096,
    writebackBytes: 0,
    shmemBytes: 0,
    mappedFileBytes: 0,
    kernelBytes: 2375680,
    swapBytes: 0,
    peakBytes: 209715200,
    unreclaimableBytes: 22020096,
  })
  t.same(r.events, { limitHits: 2865, oomKills: 0 }, 'v1 has no high or oom counters: absent, not 0')
  t.equal(r.events.high, undefined)
  t.same(r.pressure, {}, 'v1 has no per-cgroup PSI')
})

t.test('v2 capture of an anon OOM', async (t) => {
  const r = readCgroup(ctx(captures, 'v2'), '/cgroup-v2-linux-6.18-anon-oom')
  t.same(r.memory, {
    usageBytes: 917504,
    limitBytes: 268435456,
    workingSetBytes: 917504 - 24576,
    rssBytes: 0,
    cacheBytes: 49152,
    activeFileBytes: 24576,
    inactiveFileBytes: 24576,
    dirtyBytes: 0,
    writebackBytes: 0,
    shmemBytes: 0,
    mappedFileBytes: 0,
    kernelBytes: 675840,
    swapBytes: 0,
    peakBytes: 268435456,
    // kernel − slab_reclaimable = 675840 − 77728
    unreclaimableBytes: 598112,
  })
  t.same(r.events, { limitHits: 1165, high: 0, oom: 2, oomKills: 2 })
  t.same(r.pressure, { waitingSeconds: 0.073667, stalledSeconds: 0.073667 })
})

t.test('v2 idle capture: no limit is absent', async (t) => {
  const r = readCgroup(ctx(captures, 'v2'), '/cgroup-v2-linux-6.18-idle')
  t.equal(r.memory.limitBytes, undefined)
  t.equal(r.memory.workingSetBytes, 7696384 - 794624)
  t.equal(r.memory.dirtyBytes, 86016)
  t.equal(r.memory.unreclaimableBytes, 983040 + 86016 + (3284992 - 70808))
  t.same(r.pressure, { waitingSeconds: 0, stalledSeconds: 0 })
})

t.test('workingSet follows cAdvisor', async (t) => {
  t.equal(workingSet(100, 30), 70)
  t.equal(workingSet(100, 130), 0, 'floored at 0 when inactive_file was read after a drop in usage')
  t.equal(workingSet(100, undefined), 100, 'no inactive_file: the whole usage')
  t.equal(workingSet(undefined, 5), undefined)
})

t.test('missing, vanished and malformed', async (t) => {
  const root = t.testdir({})
  const copy = (name: string, from: string): string => {
    cpSync(`${captures}/${from}`, `${root}/${name}`, { recursive: true })
    return `${root}/${name}`
  }

  const old = copy('old-kernel', 'cgroup-v2-linux-6.18-idle')
  for (const f of ['memory.peak', 'memory.swap.current', 'memory.pressure', 'memory.events']) rmSync(`${old}/${f}`)
  writeFileSync(
    `${old}/memory.stat`,
    'anon 10\nfile 20\nkernel_stack 1\npagetables 2\npercpu 3\nsock 4\nvmalloc 5\nslab_reclaimable 6\nslab_unreclaimable 7\ninactive_file 5\nshmem 0\nfile_dirty 0\nfile_writeback 0\nunevictable 0\n',
  )
  const r = readCgroup(ctx(root, 'v2'), '/old-kernel')
  t.equal(r.memory.peakBytes, undefined, 'memory.peak absent before 5.19')
  t.equal(r.memory.swapBytes, undefined, 'no swap accounting')
  t.same(r.events, { limitHits: undefined, high: undefined, oom: undefined, oomKills: undefined })
  t.same(r.pressure, { waitingSeconds: undefined, stalledSeconds: undefined })
  t.equal(r.memory.kernelBytes, 1 + 2 + 3 + 4 + 5 + 6 + 7, 'kernel summed from its parts before 5.18')
  t.equal(r.memory.mappedFileBytes, undefined, 'a key the kernel did not print is absent')

  const v1 = copy('v1-old', 'cgroup-v1-linux-6.18-after-write')
  rmSync(`${v1}/memory.kmem.usage_in_bytes`)
  writeFileSync(`${v1}/memory.oom_control`, 'oom_kill_disable 0\nunder_oom 0\n')
  const r1 = readCgroup(ctx(root, 'v1'), '/v1-old')
  t.equal(r1.memory.kernelBytes, undefined, 'no kmem accounting')
  t.equal(r1.events.oomKills, undefined, 'oom_kill appears in 4.13')

  t.throws(() => readCgroup(ctx(root, 'v2'), '/gone'), CgroupGoneError, 'a cgroup that is not there')

  const bad = copy('bad', 'cgroup-v2-linux-6.18-idle')
  writeFileSync(`${bad}/memory.stat`, 'anon 1\nfile_dirty lots\n')
  t.throws(() => readCgroup(ctx(root, 'v2'), '/bad'), ParseError)
  t.throws(
    () => readCgroup(ctx(root, 'v2'), '/bad'),
    /memory\.stat:2: value of file_dirty is not an integer in \[0, 2\^63\): "file_dirty lots"/,
  )
})

t.test('a cgroup whose directory vanishes while optional files are read is gone, not partial', async (t) => {
  const root = t.testdir({})
  cpSync(`${captures}/cgroup-v2-linux-6.18-idle`, `${root}/c`, { recursive: true })
  const reader = testReader()
  const realRead = reader.readBytes.bind(reader)
  reader.readBytes = (path: string) => {
    if (path.endsWith('memory.peak')) rmSync(`${root}/c`, { recursive: true })
    return realRead(path)
  }
  // The native reader reads the whole directory in one call: it vanishes between memory.current
  // (read) and memory.peak (not there), the same moment as above.
  const realMany = reader.readMany.bind(reader)
  reader.readMany = (dir: string, names: readonly string[]) => {
    if (!reader.native) return realMany(dir, names)
    rmSync(`${root}/c/memory.peak`)
    const batch = realMany(dir, names)
    rmSync(`${root}/c`, { recursive: true })
    return batch
  }
  t.throws(() => readCgroup({ root, version: 'v2', reader }, '/c'), CgroupGoneError)
})

t.test('the reader grows its buffer for big files', async (t) => {
  const dir = t.testdir({ big: 'x'.repeat(200_000) })
  t.equal(testReader().readText(`${dir}/big`).length, 200_000)
  t.equal(FILES.v1[0], 'memory.usage_in_bytes', 'the first file read is the one that must exist')
})
