import t from 'tap'
import { OomReportAssembler, type KernelOomReport } from '../../agent/oom/oom-report.js'
import { reportMemory } from '../../agent/oom/report-memory.js'
import { transcript } from '../fixtures/kmsg.js'

function report(name: string): KernelOomReport {
  const a = new OomReportAssembler()
  const [r] = transcript(name).flatMap((rec) => a.push(rec))
  if (r === undefined) throw new Error(name)
  return r
}

const base = { seq: 1, timestampUs: 1, firstSeq: 1, complete: true }

t.test('v2 (Linux 6.8)', async (t) => {
  t.same(reportMemory(report('linux-6.8-v2-memcg-dirty-oom.txt')), {
    usageBytes: 629145600,
    limitBytes: 629145600,
    rssBytes: 4235264,
    cacheBytes: 620756992,
    activeFileBytes: 8388608,
    inactiveFileBytes: 612368384,
    dirtyBytes: 207618048,
    writebackBytes: 102760448,
    shmemBytes: 0,
    kernelBytes: 2322432,
    unreclaimableBytes: 4235264 + 207618048 + 102760448 + (2322432 - 1325056),
  })
})

t.test('v2 before 5.18: kernel is the sum of its parts', async (t) => {
  const m = reportMemory({
    ...base,
    stat: { anon: 10, file: 20, kernel_stack: 1, pagetables: 2, percpu: 3, sock: 4, vmalloc: 5, slab: 6, slab_reclaimable: 6 },
  })
  t.equal(m.kernelBytes, 21)
  t.equal(m.unreclaimableBytes, 10 + 15, 'reclaimable slab is not counted')
  t.equal(reportMemory({ ...base, stat: { anon: 1, file: 2 } }).kernelBytes, undefined, 'none of the parts: absent')
})

t.test('v1 (Linux 6.18, real): hierarchical totals, no kernel', async (t) => {
  const m = reportMemory(report('linux-6.18-v1-memcg-anon-oom.txt'))
  t.same(m, {
    usageBytes: 33554432,
    limitBytes: 33554432,
    rssBytes: 33419264,
    cacheBytes: 0,
    activeFileBytes: 0,
    inactiveFileBytes: 0,
    dirtyBytes: 0,
    writebackBytes: 0,
    shmemBytes: 0,
    kernelBytes: undefined,
    unreclaimableBytes: 33419264,
  })
  const totalsWin = reportMemory({ ...base, stat: { rss: 1, total_rss: 5, cache: 2, total_cache: 9 } })
  t.equal(totalsWin.rssBytes, 5, 'total_* over the local figure')
  t.equal(totalsWin.cacheBytes, 9)
})

t.test('v1 before 6.4: kB lines summed over the subtree', async (t) => {
  const m = reportMemory(report('linux-4.14-v1-memcg-anon-oom.txt'))
  t.equal(m.rssBytes, 1034352 * 1024)
  t.equal(m.cacheBytes, 2112 * 1024)
  t.equal(m.dirtyBytes, 132 * 1024)
})

t.test('no stats (a global OOM, or a report that lost them)', async (t) => {
  const m = reportMemory({ ...base, stat: {}, usageBytes: 5 })
  t.equal(m.usageBytes, 5)
  t.equal(m.rssBytes, undefined)
  t.equal(m.unreclaimableBytes, undefined)
})
