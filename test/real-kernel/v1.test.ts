// On the real kernel, cgroup v1 (this machine and CI): a writer fills a small cgroup with dirty page
// cache and memlens must report what memory.stat says; a process OOM-killed at its limit is
// counted and explained; a holder's RSS is its VmRSS; a cgroup removed while memlens runs leaves
// no series (scenarios.ts). Skips with a reason off cgroup v1; under CI=true a skip is a failure.
import t from 'tap'
import { v1Hierarchy, v1Unavailable } from './own-cgroup.js'
import { scenariosFor } from './scenarios.js'

const unavailable = v1Unavailable()
if (unavailable !== undefined) {
  if (process.env['CI'] === 'true') t.fail(`real-kernel cgroup v1 tests cannot run on CI: ${unavailable}`)
  else t.plan(0, `real-kernel cgroup v1 tests: ${unavailable}`)
} else {
  const h = v1Hierarchy()
  const tag = `memlens-test-${process.pid}-${Date.now().toString(36)}`
  for (const s of scenariosFor('v1')) t.test(s.name, (t) => s.run(t, h, tag))
}
