// On the real kernel, cgroup v2: the same scenarios as v1.test.ts, plus what only v2 does (inotify
// on memory.events; a writer killed by its own page cache). Runs where a cgroup with the memory
// controller is delegated to us (our own, or $MEMLENS_TEST_V2_PARENT); this machine and CI have
// cgroup v1, so here it skips with the reason. test/real-kernel/device-v2.sh runs the same
// scenarios on a borrowed cgroup v2 machine without tap (device.ts).
import t from 'tap'
import { v2Hierarchy } from './own-cgroup.js'
import { scenariosFor } from './scenarios.js'

const h = v2Hierarchy()
if (typeof h === 'string') t.plan(0, `real-kernel cgroup v2 tests: ${h}`)
else {
  const tag = `memlens-test-${process.pid}-${Date.now().toString(36)}`
  for (const s of scenariosFor('v2')) t.test(s.name, (t) => s.run(t, h, tag))
}
