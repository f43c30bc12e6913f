// examples/oom-repro.sh on this machine's real kernel: the anon OOM it provokes is explained
// by memlens, in the script's own output. Needs root and a writable memory cgroup (this
// project's machines and CI); skips with a reason elsewhere, and under CI=true a skip fails.
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { nodeComm } from '../helpers/comm.js'
import { v1Unavailable } from '../real-kernel/own-cgroup.js'
import { FakeApiServer } from '../kube/fake-api-server.js'

const repo = fileURLToPath(new URL('../..', import.meta.url))
const why = process.getuid?.() !== 0 ? 'not root' : v1Unavailable()

if (why !== undefined) {
  if (process.env['CI'] === 'true') t.fail(`examples/oom-repro.sh cannot run on CI: ${why}`)
  else t.plan(0, `examples/oom-repro.sh: ${why}`)
} else {
  t.test('examples/oom-repro.sh anon: killed and explained', { timeout: 180_000 }, async (t) => {
    const port = await FakeApiServer.freePort()
    const run = spawnSync('bash', [`${repo}examples/oom-repro.sh`, 'anon'], {
      cwd: repo,
      encoding: 'utf8',
      timeout: 170_000,
      env: { ...process.env, MEMLENS_DEMO_LIMIT_MIB: '64', MEMLENS_DEMO_PORT: String(port) },
    })
    t.equal(run.status, 0, run.stderr)
    t.match(run.stdout, /== anon: /)
    t.match(run.stdout, /exit status 137/, 'the kernel killed the allocator')
    t.match(run.stdout, /== memlens explain/)
    t.match(run.stdout, /anon, container limit/, 'memlens explains it as anon')
    // The script runs the `node` on PATH, the one running this test.
    t.ok(run.stdout.includes(`largest ${nodeComm()}`) || run.stdout.includes(`killed       ${nodeComm()}`), 'naming the process')
    t.match(run.stdout, /^usage +\d+ MiB \//m, 'the peaks between scrapes')
  })
}
