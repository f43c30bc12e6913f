// The event loop stays free while a collection cycle runs: /healthz requests sent during a
// long cycle are answered before the cycle ends. An order of events, not a timing.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { agentFrom } from '../helpers/agent.js'

const capture = fileURLToPath(new URL('../fixtures/captures/cgroup-v2-linux-6.18-idle', import.meta.url))

t.test('/healthz answers while a cycle of 1,200 cgroups runs', async (t) => {
  const root = t.testdir({})
  const files = readdirSync(capture).map((f) => [f, readFileSync(`${capture}/${f}`)] as const)
  writeFileSync(`${root}/cgroup.controllers`, 'cpuset cpu io memory pids\n')
  for (let p = 0; p < 300; p++) {
    const pod = `${root}/kubepods/pod00000000-0000-0000-0000-${String(p).padStart(12, '0')}`
    for (const dir of [pod, ...[1, 2, 3].map((c) => `${pod}/${String(c).repeat(64)}`)]) {
      mkdirSync(dir, { recursive: true })
      for (const [name, data] of files) writeFileSync(`${dir}/${name}`, data)
    }
  }
  const { agent } = await agentFrom(['--cgroup-root', root, '--listen', '127.0.0.1:0'])
  t.teardown(() => agent.stop())
  const { port } = await agent.listen('127.0.0.1', 0)
  await agent.core.collector.collect() // warm: the page cache of the fixture files, the JIT

  let cycleDone = false
  const cycle = agent.core.collector.collect().then((snap) => {
    cycleDone = true
    return snap
  })
  let answeredDuringCycle = 0
  while (!cycleDone) {
    const res = await fetch(`http://127.0.0.1:${port}/healthz`)
    t.equal(res.status, 200)
    if (!cycleDone) answeredDuringCycle++
  }
  const snap = await cycle
  t.equal(snap.containers.length + snap.pods.length, 1200, 'the cycle read every cgroup')
  t.ok(answeredDuringCycle >= 1, `/healthz answered ${answeredDuringCycle} times while the cycle ran`)
})
