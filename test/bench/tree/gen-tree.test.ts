// The generated trees' cgroup.procs: containers list one live PID, every other cgroup none.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { containerDirName, generateTree, kubepodsOf } from '../../../bench/tree/gen-tree.js'

const procs = (dir: string): string => readFileSync(join(dir, 'cgroup.procs'), 'latin1')

t.test("a container's cgroup.procs lists this process; pods, slices and the root list none", async (t) => {
  const tmp = mkdtempSync(join(tmpdir(), 'memlens-gen-tree-test-'))
  t.teardown(() => rmSync(tmp, { recursive: true, force: true }))
  for (const version of ['v1', 'v2'] as const) {
    const tree = generateTree({ version, pods: 5, containersPerPod: 2, out: join(tmp, version) })
    for (const pod of tree.expected) {
      t.equal(procs(pod.podDir), '', `${version}: pod ${pod.podUid} has no process of its own`)
      for (const id of pod.containerIds) t.equal(procs(join(pod.podDir, containerDirName(id))), `${process.pid}\n`)
    }
    for (const dir of [
      tree.hierarchyRoot,
      kubepodsOf(tree.hierarchyRoot),
      join(kubepodsOf(tree.hierarchyRoot), 'kubepods-burstable.slice'),
    ]) {
      t.equal(procs(dir), '', `${version}: ${dir.slice(tmp.length)} lists no process`)
    }
    if (version === 'v2') {
      // cgroup v2: an inner cgroup with controllers holds no process; the pod enables them.
      const pod = tree.expected[0]
      if (pod !== undefined) t.not(readFileSync(join(pod.podDir, 'cgroup.subtree_control'), 'latin1'), '')
    }
  }
  const other = generateTree({ version: 'v2', pods: 1, containersPerPod: 1, out: join(tmp, 'pid'), procsPid: 1 })
  const pod = other.expected[0]
  t.equal(pod && procs(join(pod.podDir, containerDirName(pod.containerIds[0] ?? ''))), '1\n', 'procsPid is the PID listed')
})
