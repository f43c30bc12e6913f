import t from 'tap'
import { OomReportAssembler, STALE_US, type KernelOomReport } from '../../agent/oom/oom-report.js'
import type { KmsgRecord } from '../../agent/oom/kmsg-record.js'
import { toRecords, transcript } from '../fixtures/kmsg.js'

const MiB = 1024 * 1024

function assemble(records: readonly KmsgRecord[], assembler = new OomReportAssembler()): KernelOomReport[] {
  return records.flatMap((r) => assembler.push(r))
}

/** Records from message lines, numbered from `seq`, 10 µs apart. */
function recs(lines: readonly string[], seq = 1, startUs = 1_000_000): KmsgRecord[] {
  return toRecords(lines.map((l, i) => (/^\d+,/.test(l) ? l : `6,${seq + i},${startUs + i * 10},-;${l}`)).join('\n'))
}

t.test('real: Linux 6.18 cgroup v1, anon OOM of dd', async (t) => {
  const reports = assemble(transcript('linux-6.18-v1-memcg-anon-oom.txt'))
  t.equal(reports.length, 1, 'one kill, one report')
  const r = reports[0]
  if (r === undefined) return
  const cg = '/process_api/da6eadb08a201a02c021fae61f5f1b15/memlens-test-2679-mx25zjoc-oom'
  t.match(r, {
    seq: 445,
    firstSeq: 341,
    timestampUs: 239387891,
    complete: true,
    kind: 'memcg',
    constraint: 'CONSTRAINT_MEMCG',
    invokedBy: 'dd',
    oomMemcg: cg,
    taskMemcg: cg,
    usageBytes: 32 * MiB,
    limitBytes: 32 * MiB,
    failcnt: 75,
    statPath: cg,
  })
  t.same(r.victim, {
    pid: 2692,
    comm: 'dd',
    uid: 0,
    totalVmBytes: 265124 * 1024,
    anonRssBytes: 32512 * 1024,
    fileRssBytes: 1664 * 1024,
    shmemRssBytes: 0,
    oomScoreAdj: 0,
  })
  t.equal(r.stat['total_rss'], 33419264)
  t.equal(r.stat['total_cache'], 0)
  t.equal(r.stat['hierarchical_memory_limit'], 33554432)
  t.equal(r.stat['rss'], 33419264)
  t.equal(Object.keys(r.stat).length, 42, 'every stat line, and nothing from the stack dump or the task table')
})

t.test('cgroup v2, Linux 6.8: a dirty-page OOM with interleaved records', async (t) => {
  const reports = assemble(transcript('linux-6.8-v2-memcg-dirty-oom.txt'))
  t.equal(reports.length, 1, 'the user-space "Killed process" record is ignored')
  const r = reports[0]
  if (r === undefined) return
  const cg =
    '/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod0f1e2d3c_4b5a_6978_8796_a5b4c3d2e1f0.slice/cri-containerd-3f9d2c6b1a8e4f7d9c0b2a1e3d5f7a9b8c6d4e2f0a1b3c5d7e9f1a2b3c4d5e6f.scope'
  t.match(r, {
    complete: true,
    kind: 'memcg',
    oomMemcg: cg,
    taskMemcg: cg,
    statPath: cg,
    usageBytes: 600 * MiB,
    limitBytes: 600 * MiB,
    failcnt: 48213,
    invokedBy: 'qemu-img',
  })
  t.match(r.victim, { pid: 48211, comm: 'qemu-img', uid: 107, anonRssBytes: 3 * MiB, fileRssBytes: 10 * MiB, oomScoreAdj: 994 })
  t.equal(r.stat['file_dirty'], 207618048, 'stat lines before the unrelated records')
  t.equal(r.stat['file_writeback'], 102760448, 'and after them')
  t.equal(r.stat['thp_collapse_alloc'], 0, 'up to the last')
  t.equal(Object.keys(r.stat).length, 49)
  t.notOk('Code' in r.stat)
})

t.test('cgroup v1, Linux 4.14: kB stats per cgroup summed, Task in, Kill process', async (t) => {
  const reports = assemble(transcript('linux-4.14-v1-memcg-anon-oom.txt'))
  t.equal(reports.length, 1)
  const r = reports[0]
  if (r === undefined) return
  const c1 = '/kubepods/burstable/pod7c1d2e3f-4a5b-6c7d-8e9f-0a1b2c3d4e5f/9b8a7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b'
  t.match(r, {
    complete: true,
    kind: 'memcg',
    constraint: undefined,
    oomMemcg: c1,
    taskMemcg: c1,
    statPath: c1,
    usageBytes: 1024 * MiB,
    limitBytes: 1024 * MiB,
  })
  t.equal(r.stat['rss'], 1034352 * 1024, 'the subtree: the container cgroup and its container/ child')
  t.equal(r.stat['cache'], 2112 * 1024)
  t.equal(r.stat['dirty'], 132 * 1024)
  t.same(r.victim, {
    pid: 30377,
    comm: 'java',
    uid: undefined,
    totalVmBytes: 4753292 * 1024,
    anonRssBytes: 1034152 * 1024,
    fileRssBytes: 16168 * 1024,
    shmemRssBytes: 0,
    oomScoreAdj: undefined,
  })
})

t.test('a node-wide OOM', async (t) => {
  const [r, ...more] = assemble(transcript('linux-6.1-global-oom.txt'))
  t.equal(more.length, 0)
  t.match(r, {
    complete: true,
    kind: 'global',
    constraint: 'CONSTRAINT_NONE',
    oomMemcg: undefined,
    usageBytes: undefined,
    limitBytes: undefined,
    statPath: undefined,
  })
  t.equal(r?.taskMemcg, '/kubepods/besteffort/pod11111111-2222-3333-4444-555555555555/abc')
  t.same(r?.stat, {}, 'the Mem-Info lines are not memory.stat')
  t.equal(r?.victim?.comm, 'stress-ng-vm')
})

t.test('Linux 5.x cgroup v2: the stats arrive as one record with escaped newlines', async (t) => {
  const [r] = assemble(
    recs([
      'sh invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0',
      'memory: usage 262144kB, limit 262144kB, failcnt 9',
      'swap: usage 0kB, limit 9007199254740988kB, failcnt 0',
      'Memory cgroup stats for /user.slice/a.scope:',
      'anon 1048576\\x0afile 267386880\\x0ashmem 268435456\\x0a',
      'oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg=/user.slice/a.scope,task_memcg=/user.slice/a.scope,task=sh,pid=5,uid=0',
      'Memory cgroup out of memory: Killed process 5 (sh) total-vm:1kB, anon-rss:1024kB, file-rss:0kB, shmem-rss:262144kB, UID:0 pgtables:4kB oom_score_adj:0',
    ]),
  )
  t.same(r?.stat, { anon: 1048576, file: 267386880, shmem: 268435456 })
  t.equal(r?.victim?.shmemRssBytes, 256 * MiB)
})

t.test('old kernels split a line into c and + fragments', async (t) => {
  const [r] = assemble(
    recs([
      'x invoked oom-killer: gfp_mask=0xd0, order=0, oom_score_adj=0',
      'memory: usage 4kB, limit 4kB, failcnt 1',
      '6,3,1000020,c;Memory cgroup stats for ',
      '6,4,1000030,+;/a',
      '6,5,1000040,+;: cache:4KB rss:8KB',
      '6,6,1000050,c;Memory cgroup stats for /a/b: rss:4KB',
      'Killed process 9 (x) total-vm:4kB, anon-rss:4kB, file-rss:0kB, shmem-rss:0kB',
    ]),
  )
  t.equal(r?.statPath, '/a')
  t.same(r?.stat, { cache: 4096, rss: 12288 })
  t.equal(r?.kind, 'memcg', 'known from the memory: line when nothing else says')
})

t.test('missing parts', async (t) => {
  t.test('a new OOM begins before the kill line: the first is emitted incomplete', async (t) => {
    const a = new OomReportAssembler()
    const first = assemble(
      recs([
        'a invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0',
        'memory: usage 100kB, limit 100kB, failcnt 3',
        'Memory cgroup stats for /p:',
        'anon 4096',
      ]),
      a,
    )
    t.same(first, [], 'nothing until the report ends')
    const second = assemble(
      recs(
        [
          'b invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0',
          'Memory cgroup out of memory: Killed process 2 (b) total-vm:1kB, anon-rss:1kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:4kB oom_score_adj:0',
        ],
        5,
        2_000_000,
      ),
      a,
    )
    t.equal(second.length, 2)
    t.match(second[0], {
      complete: false,
      firstSeq: 1,
      seq: 4,
      usageBytes: 100 * 1024,
      statPath: '/p',
      stat: { anon: 4096 },
      victim: undefined,
      kind: 'memcg',
    })
    t.match(second[1], { complete: true, firstSeq: 5, seq: 6, invokedBy: 'b', usageBytes: undefined, stat: {} })
  })

  t.test('a kill line alone (rate-limited header, or the start was overwritten)', async (t) => {
    const [r] = assemble(
      recs([
        'Memory cgroup out of memory: Killed process 77 (java) total-vm:8kB, anon-rss:4kB, file-rss:0kB, shmem-rss:0kB, UID:1 pgtables:4kB oom_score_adj:0',
      ]),
    )
    t.match(r, { complete: false, kind: 'memcg', victim: { pid: 77, comm: 'java', uid: 1 }, stat: {} })
  })

  t.test('a second memory: line starts a new report', async (t) => {
    const out = assemble(recs(['memory: usage 1kB, limit 1kB, failcnt 1', 'memory: usage 2kB, limit 2kB, failcnt 2']))
    t.equal(out.length, 1)
    t.equal(out[0]?.usageBytes, 1024)
  })

  t.test('a kill line for another victim closes the report in progress', async (t) => {
    const out = assemble(
      recs([
        'oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),oom_memcg=/a,task_memcg=/a,task=x,pid=1,uid=0',
        'Memory cgroup out of memory: Killed process 2 (y) total-vm:1kB, anon-rss:1kB, file-rss:0kB, shmem-rss:0kB',
      ]),
    )
    t.equal(out.length, 2)
    t.match(out[0], { complete: false, victim: { pid: 1, comm: 'x' }, oomMemcg: '/a' })
    t.match(out[1], { victim: { pid: 2, comm: 'y' }, oomMemcg: undefined, kind: 'memcg' })
  })

  t.test('a truncated report is emitted by flush() or once the log has been quiet', async (t) => {
    const a = new OomReportAssembler()
    t.same(
      assemble(
        recs([
          'z invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0',
          'memory: usage 8kB, limit 8kB, failcnt 1',
          'Memory cgroup stats for /q:',
          'file_dirty 4096',
        ]),
        a,
      ),
      [],
    )
    t.match(a.flush(), { complete: false, invokedBy: 'z', stat: { file_dirty: 4096 }, statPath: '/q' })
    t.equal(a.flush(), undefined, 'flushed once')

    const b = new OomReportAssembler()
    assemble(recs(['z invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0'], 1, 1_000_000), b)
    t.same(assemble(recs(['unrelated'], 2, 1_000_000 + STALE_US), b), [], 'not yet stale')
    const late = assemble(recs(['still unrelated'], 3, 1_000_010 + 2 * STALE_US), b)
    t.match(late, [{ complete: false, invokedBy: 'z', seq: 1 }], 'its last record was its own, not the unrelated ones')
  })

  t.test('an OOM that killed nothing is dropped', async (t) => {
    const out = assemble(
      recs([
        'a invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0',
        'memory: usage 4kB, limit 4kB, failcnt 1',
        'Memory cgroup out of memory: OOM victim 3 (a) is already exiting. Skip killing the task',
      ]),
    )
    t.same(out, [])
  })
})

t.test('garbage and unrelated records never make a report', async (t) => {
  const a = new OomReportAssembler()
  const out = assemble(
    recs([
      'anon 5',
      'Memory cgroup stats for',
      'oom-kill:',
      'Killed process x (y)',
      'memory: usage lots',
      '\u0000\u0001 binary',
      '',
      'EXT4-fs (vda): mounted filesystem',
      '12,99,5,-;x invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0',
    ]),
    a,
  )
  t.same(out, [])
  t.equal(a.flush(), undefined, 'nothing in progress either')
})

t.test('stat lines outside a stats section are not taken', async (t) => {
  const [r] = assemble(
    recs([
      'a invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0',
      'anon 999',
      'Memory cgroup stats for /p:',
      'anon 5',
      'Tasks state (memory values in pages):',
      'file 7',
      'Memory cgroup out of memory: Killed process 2 (a) total-vm:1kB, anon-rss:1kB, file-rss:0kB, shmem-rss:0kB',
    ]),
  )
  t.same(r?.stat, { anon: 5 })
})
