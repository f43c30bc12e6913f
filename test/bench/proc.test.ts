import t from 'tap'
import { fdCount, fsTypeOf, parseSchedstatNs, parseStatCpu, parseStatusMemory, procCpuFineMs, procCpuMs } from '../../bench/proc.js'

t.test('parseStatusMemory reads kB lines as bytes', async (t) => {
  const m = parseStatusMemory('Name:\tnode\nVmHWM:\t   70000 kB\nVmRSS:\t   64000 kB\nRssAnon:\t  40000 kB\n')
  t.equal(m.vmHwmBytes, 70000 * 1024)
  t.equal(m.vmRssBytes, 64000 * 1024)
  t.equal(m.rssAnonBytes, 40000 * 1024)
  t.ok(Number.isNaN(m.rssFileBytes), 'absent: NaN')
})

t.test('parseStatCpu counts fields after the command name, which may hold spaces and parens', async (t) => {
  const line = '4242 (node (x) y) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 37 0 0 20 0 11 0 1 2 3'
  t.same(parseStatCpu(line), { userTicks: 250, systemTicks: 37 })
  t.throws(() => parseStatCpu('garbage'))
})

t.test('this process: CPU, fds', async (t) => {
  t.ok(procCpuMs(process.pid) > 0)
  t.ok(fdCount(process.pid) >= 3)
})

t.test('fsTypeOf takes the longest mount point that prefixes the path', async (t) => {
  const mounts = 'rootfs / ext4 rw 0 0\ntmpfs /dev/shm tmpfs rw 0 0\ntmpfs /dev/shmx tmpfs rw 0 0\n'
  t.equal(fsTypeOf('/dev/shm/memlens-bench-v2-1', mounts), 'tmpfs')
  t.equal(fsTypeOf('/dev/shm', mounts), 'tmpfs')
  t.equal(fsTypeOf('/home/x', mounts), 'ext4')
  t.equal(fsTypeOf('/x', ''), 'unknown')
})

t.test('schedstat gives CPU to the nanosecond, summed over the threads', async (t) => {
  t.equal(parseSchedstatNs('123456789 5000 42\n'), 123456789)
  t.throws(() => parseSchedstatNs('garbage'), /not a schedstat line/)
  t.throws(() => parseSchedstatNs('-5 0 0'), /not a schedstat line/)
  const before = procCpuFineMs(process.pid)
  const end = performance.now() + 30
  while (performance.now() < end) Math.sqrt(Math.random())
  const spent = procCpuFineMs(process.pid) - before
  t.ok(spent > 0, `30 ms of spinning shows as CPU (${spent.toFixed(3)} ms)`)
})
