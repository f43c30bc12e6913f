// The reading tests again with MEMLENS_NATIVE=0, so the node:fs path the agent falls back to
// (no compiler at install, an addon that does not load) keeps passing beside the native one
// that the plain test run exercises.
import { fileURLToPath } from 'node:url'
import t from 'tap'

const files = [
  'test/cgroup/read.test.ts',
  'test/collect/collector.test.ts',
  'test/collect/hostile-tree.test.ts',
  'test/real-kernel/v1.test.ts',
]
const repo = fileURLToPath(new URL('../..', import.meta.url))

for (const f of files) {
  void t.spawn(
    process.execPath,
    [...process.execArgv, `${repo}${f}`],
    { cwd: repo, env: { ...process.env, MEMLENS_NATIVE: '0' } },
    `${f} with MEMLENS_NATIVE=0`,
  )
}
