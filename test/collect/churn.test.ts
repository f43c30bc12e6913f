// Churn, test-sized: pods and containers created and removed thousands of times while the
// agent collects and renders. Series return to the live set, open file descriptors and the
// per-cgroup state stay flat, and cgroups that vanish mid-read log nothing. (A long run with
// memory figures is `npm run bench -- --churn`.)
import { cpSync, readdirSync, renameSync, rmSync } from 'node:fs'
import t from 'tap'
import { buildTree } from '../fixtures/trees.js'
import { agentFrom } from '../helpers/agent.js'
import { atWarnOrAbove } from '../helpers/logs.js'

const fds = (): number => readdirSync('/proc/self/fd').length

t.test('thousands of pod and container cgroups come and go', { timeout: 300_000 }, async (t) => {
  const tree = buildTree(t.testdir({}), { version: 'v2', layout: 'cgroupfs-containerd' })
  const { agent, logs } = await agentFrom(['--cgroup-root', tree.cgroupRoot])
  t.teardown(() => agent.stop())
  const template = tree.pods.find((p) => p.containers.length >= 2)
  if (template === undefined) throw new Error('no pod to copy')
  const templateDir = `${tree.hierarchyRoot}${template.path}`
  const qosDir = templateDir.slice(0, templateDir.lastIndexOf('/'))
  const uid = (i: number): string => `${i.toString(16).padStart(8, '0')}-0000-4000-8000-000000000000`

  await agent.core.collector.collect()
  await agent.metrics()
  const fdsBefore = fds()
  const live = new Set<string>()
  const ever = new Set<string>()
  let created = 0
  for (let round = 0; round < 25; round++) {
    // 30 pods appear (each with its containers), built aside and renamed into place as cgroupfs
    // shows a new cgroup: whole or not at all.
    for (let j = 0; j < 30; j++) {
      const name = `pod${uid(created++)}`
      cpSync(templateDir, `${qosDir}/.${name}`, { recursive: true })
      renameSync(`${qosDir}/.${name}`, `${qosDir}/${name}`)
      live.add(name)
      ever.add(name)
    }
    // Half of the live ones go, some while the collection below is reading.
    const collecting = agent.core.collector.collect()
    for (const name of [...live].slice(0, 15)) {
      rmSync(`${qosDir}/${name}`, { recursive: true })
      live.delete(name)
    }
    await collecting
  }
  const cgroups = created * (1 + template.containers.length)
  t.ok(cgroups >= 2000, `${created} pods, ${cgroups} cgroups created`)
  await agent.core.collector.collect()
  const text = await agent.metrics()
  const seen = new Set([...text.matchAll(/memlens_pod_memory_usage_bytes\{id="[^"]*\/(pod[0-9a-f-]+)"/g)].map((m) => m[1]))
  for (const name of live) t.ok(seen.has(name), `${name} is served`)
  const stale = [...seen].filter((name) => name !== undefined && ever.has(name) && !live.has(name))
  t.strictSame(stale, [], 'no series of a pod that is gone')
  t.ok(fds() <= fdsBefore + 2, `open file descriptors flat (${fdsBefore} → ${fds()})`)
  t.strictSame(atWarnOrAbove(logs), [], 'no warning or error for cgroups that vanished mid-read')
})
