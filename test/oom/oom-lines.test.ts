import t from 'tap'
import {
  isNoKill,
  isTasksHeader,
  parseInvoked,
  parseKilled,
  parseMemoryLine,
  parseStatLine,
  parseStatsHeader,
  parseSummary,
  parseTaskIn,
} from '../../agent/oom/oom-lines.js'

t.test('parseInvoked, every kernel generation', async (t) => {
  t.same(parseInvoked('dd invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0'), {
    comm: 'dd',
    gfpMask: '0xcc0(GFP_KERNEL)',
    order: 0,
  })
  t.same(
    parseInvoked('java invoked oom-killer: gfp_mask=0x14000c0(GFP_KERNEL), nodemask=(null),  order=0, oom_score_adj=968'),
    { comm: 'java', gfpMask: '0x14000c0(GFP_KERNEL)', order: 0 },
    '4.13: nodemask and two spaces',
  )
  t.same(
    parseInvoked('a b invoked oom-killer: gfp_mask=0x24201ca, order=3, oom_score_adj=0'),
    { comm: 'a b', gfpMask: '0x24201ca', order: 3 },
    '4.x: no flag names; a comm with a space',
  )
  t.equal(
    parseInvoked('x invoked oom-killer: gfp_mask=0x0, nodemask=0,2-3, order=-1, oom_score_adj=0')?.order,
    -1,
    'sysrq; a nodemask list with commas',
  )
  t.equal(parseInvoked('oom-killer invoked'), undefined)
})

t.test('parseMemoryLine', async (t) => {
  t.same(parseMemoryLine('memory: usage 32768kB, limit 32768kB, failcnt 75'), { usageBytes: 33554432, limitBytes: 33554432, failcnt: 75 })
  t.same(
    parseMemoryLine('memory: usage 1024kB, limit 9007199254740988kB, failcnt 0'),
    { usageBytes: 1048576, limitBytes: undefined, failcnt: 0 },
    'no limit',
  )
  t.equal(parseMemoryLine('memory+swap: usage 32768kB, limit 9007199254740988kB, failcnt 0'), undefined, 'not the memory+swap line')
  t.equal(parseMemoryLine('swap: usage 0kB, limit 0kB, failcnt 0'), undefined)
  t.equal(parseMemoryLine('memory: usage 1kB, limit xkB, failcnt 0'), undefined)
})

t.test('parseStatsHeader', async (t) => {
  t.same(parseStatsHeader('Memory cgroup stats for /kubepods/pod1/abc:'), { path: '/kubepods/pod1/abc' })
  t.same(
    parseStatsHeader('Memory cgroup stats for /kubepods.slice/kubepods-pod1.slice:cri-containerd:abc:'),
    { path: '/kubepods.slice/kubepods-pod1.slice:cri-containerd:abc' },
    'a path holding colons',
  )
  const legacy = parseStatsHeader('Memory cgroup stats for /a/b: cache:2112KB rss:1034352KB dirty:-4KB odd:12 x:1MB')
  t.equal(legacy?.path, '/a/b')
  t.same(
    [...(legacy?.legacy ?? [])],
    [
      ['cache', 2112 * 1024],
      ['rss', 1034352 * 1024],
      ['dirty', -4096],
    ],
    'kB to bytes; tokens of another shape skipped',
  )
  t.equal(parseStatsHeader('Memory cgroup stats for /a/b'), undefined)
  t.equal(parseStatsHeader('memory cgroup stats for /a:'), undefined)
})

t.test('parseStatLine', async (t) => {
  t.same(parseStatLine('file_dirty 207618048'), ['file_dirty', 207618048])
  t.same(parseStatLine('workingset_refault_file 7355'), ['workingset_refault_file', 7355])
  for (const line of ['Code: 48 c7', 'RSP: 0018:ffffc9', 'anon', 'anon 1 2', 'anon -1', ' anon 1', 'Anon 1', 'anon 1kB'])
    t.equal(parseStatLine(line), undefined, line)
})

t.test('parseTaskIn (before 4.19)', async (t) => {
  t.same(parseTaskIn('Task in /kubepods/pod1/c killed as a result of limit of /kubepods/pod1'), {
    taskMemcg: '/kubepods/pod1/c',
    oomMemcg: '/kubepods/pod1',
  })
  t.equal(parseTaskIn('Task in /a killed'), undefined)
})

t.test('parseSummary', async (t) => {
  const cg = '/process_api/da6e/memlens-test-2679-mx25zjoc-oom'
  t.same(
    parseSummary(
      `oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg=${cg},task_memcg=${cg},task=dd,pid=2692,uid=0`,
    ),
    {
      constraint: 'CONSTRAINT_MEMCG',
      oomMemcg: cg,
      taskMemcg: cg,
      comm: 'dd',
      pid: 2692,
      uid: 0,
    },
    'as Linux 6.18 printed it',
  )
  t.same(
    parseSummary(
      'oom-kill:constraint=CONSTRAINT_NONE,nodemask=0,2-3,cpuset=/,mems_allowed=0,2-3,global_oom,task_memcg=/a,b,task=my task,pid=7,uid=1000',
    ),
    {
      constraint: 'CONSTRAINT_NONE',
      oomMemcg: undefined,
      taskMemcg: '/a,b',
      comm: 'my task',
      pid: 7,
      uid: 1000,
    },
    'node lists with commas, global_oom, a comm with a space',
  )
  t.same(
    parseSummary('oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),oom_memcg=/p,task_memcg=/p/c,task=x,pid=1,uid=0'),
    {
      constraint: 'CONSTRAINT_MEMCG',
      oomMemcg: '/p',
      taskMemcg: '/p/c',
      comm: 'x',
      pid: 1,
      uid: 0,
    },
    'no cpuset fields without CONFIG_CPUSETS',
  )
  t.equal(
    parseSummary('oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),task=x,pid=1,uid=0')?.oomMemcg,
    undefined,
    '4.19-rc form without memcgs',
  )
  t.equal(parseSummary('oom-kill:constraint=CONSTRAINT_MEMCG,task=x,pid=y,uid=0'), undefined)
})

t.test('parseKilled', async (t) => {
  t.same(
    parseKilled(
      'Memory cgroup out of memory: Killed process 2692 (dd) total-vm:265124kB, anon-rss:32512kB, file-rss:1664kB, shmem-rss:0kB, UID:0 pgtables:108kB oom_score_adj:0',
    ),
    {
      reason: 'Memory cgroup out of memory',
      pid: 2692,
      comm: 'dd',
      totalVmBytes: 265124 * 1024,
      anonRssBytes: 32512 * 1024,
      fileRssBytes: 1664 * 1024,
      shmemRssBytes: 0,
      uid: 0,
      oomScoreAdj: 0,
    },
  )
  const old = parseKilled('Killed process 30377 (java) total-vm:4753292kB, anon-rss:1034152kB, file-rss:16168kB, shmem-rss:0kB')
  t.equal(old?.reason, undefined, 'no reason before 4.19')
  t.equal(old?.uid, undefined)
  t.equal(old?.oomScoreAdj, undefined)
  t.equal(
    parseKilled(
      'Out of memory: Killed process 1 (a) b) total-vm:1kB, anon-rss:1kB, file-rss:0kB, shmem-rss:0kB, UID:5 pgtables:4kB oom_score_adj:-998',
    )?.comm,
    'a) b',
    'a comm holding ") "',
  )
  t.equal(
    parseKilled(
      'Out of memory: Killed process 1 (a) total-vm:1kB, anon-rss:1kB, file-rss:0kB, shmem-rss:0kB, UID:5 pgtables:4kB oom_score_adj:-998',
    )?.oomScoreAdj,
    -998,
  )
  t.equal(parseKilled('oom_reaper: reaped process 2692 (dd), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB'), undefined)
})

t.test('isNoKill and isTasksHeader', async (t) => {
  t.ok(isNoKill('Memory cgroup out of memory: OOM victim 12 (java) is already exiting. Skip killing the task'))
  t.ok(isNoKill('Out of memory and no killable processes...'))
  t.notOk(isNoKill('Memory cgroup out of memory: Killed process 12 (java) total-vm:1kB'))
  t.ok(isTasksHeader('Tasks state (memory values in pages):'))
  t.ok(isTasksHeader('[  pid  ]   uid  tgid total_vm      rss rss_anon rss_file rss_shmem pgtables_bytes swapents oom_score_adj name'))
  t.ok(isTasksHeader('[ pid ]   uid  tgid total_vm      rss nr_ptes nr_pmds swapents oom_score_adj name'))
  t.notOk(isTasksHeader('[   2692]     0  2692    66281     8544 dd'))
})
