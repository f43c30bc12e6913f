// The process view on odd trees: a FIFO for cgroup.procs or a status file is refused at
// once (it would block the reader for good), and an exited process is skipped.
import { copyFileSync, mkdirSync, rmSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { RefusedFileError } from '../../agent/kernel/errors.js'
import { readProcesses } from '../../agent/proc/processes.js'
import { buildTree } from '../fixtures/trees.js'
import { agentFrom } from '../helpers/agent.js'
import { makeFifo } from '../helpers/fifo.js'
import { testReader } from '../helpers/reader.js'

const status = fileURLToPath(new URL('../fixtures/proc/status-process', import.meta.url))

t.test('readProcesses', async (t) => {
  const root = t.testdir({ cg: { 'cgroup.procs': '10\n11\n12\n' }, proc: { '10': {}, '11': {} } })
  copyFileSync(status, `${root}/proc/10/status`)
  copyFileSync(status, `${root}/proc/11/status`)
  const got = readProcesses(testReader(), `${root}/cg`, `${root}/proc`)
  t.equal(got?.count, 2, 'an exited process (12) is skipped')

  rmSync(`${root}/proc/11/status`)
  makeFifo(t, `${root}/proc/11/status`)
  t.throws(() => readProcesses(testReader(), `${root}/cg`, `${root}/proc`), RefusedFileError, 'a FIFO for a status file')
  rmSync(`${root}/cg/cgroup.procs`)
  makeFifo(t, `${root}/cg/cgroup.procs`)
  t.throws(() => readProcesses(testReader(), `${root}/cg`, `${root}/proc`), { code: 'ENOTREG' }, 'a FIFO for cgroup.procs')
})

t.test('the collector counts a process view it cannot read, logs it once, and keeps the reading', async (t) => {
  const tree = buildTree(t.testdir({}), { version: 'v2', layout: 'cgroupfs-containerd' })
  const victim = tree.pods[0]?.containers[1]?.path
  if (victim === undefined) throw new Error('fixture has a container')
  const proc = `${t.testdirName}/proc`
  mkdirSync(proc)
  makeFifo(t, `${tree.hierarchyRoot}${victim}/cgroup.procs`)
  const { agent, logs } = await agentFrom(['--cgroup-root', tree.cgroupRoot, '--proc-root', proc])
  t.teardown(() => agent.stop())
  const snap = await agent.core.collector.collect()
  await agent.core.collector.collect()
  const sample = snap.containers.find((c) => c.ref.id === victim)
  t.ok(sample, 'its memory is still read')
  t.equal(sample?.processes, undefined, 'its processes are left out')
  t.match(
    logs.filter((l) => l['level'] === 40),
    [{ cgroup: victim, reason: 'io', err: /ENOTREG: not a regular file \(a FIFO\)/, msg: /cannot read the processes of a cgroup/ }],
    'logged once',
  )
  t.match(await agent.metrics(), /memlens_collect_errors_total\{reason="io"\} 2\n/, 'counted every cycle')
})
