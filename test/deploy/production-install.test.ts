// What the image ships, rebuilt here without Docker: production dependencies only
// (npm ci --omit=dev, from the lockfile) and the compiled agent. It must answer --help and
// serve /metrics from a fixture tree, so no dev dependency sneaks into the runtime.
import { spawn, spawnSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { buildTree } from '../fixtures/trees.js'
import { until } from '../helpers/wait.js'

const repo = fileURLToPath(new URL('../..', import.meta.url))
// tap runs tests with its TypeScript loader in NODE_OPTIONS; the shipped agent runs without.
const env = { ...process.env, NODE_OPTIONS: '' }

t.test('a production-only install runs memlens --help and serves /metrics', async (t) => {
  const dir = t.testdir({})
  for (const f of ['package.json', 'package-lock.json']) copyFileSync(`${repo}/${f}`, `${dir}/${f}`)
  const install = spawnSync('npm', ['ci', '--omit=dev', '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund'], {
    cwd: dir,
    encoding: 'utf8',
  })
  t.equal(install.status, 0, `npm ci --omit=dev: ${install.stderr.slice(-500)}`)
  t.notOk(existsSync(`${dir}/node_modules/typescript`), 'no dev dependency installed')
  t.notOk(existsSync(`${dir}/node_modules/tap`), 'no test runner installed')
  const tsc = spawnSync(
    process.execPath,
    [`${repo}/node_modules/typescript/bin/tsc`, '-p', `${repo}/tsconfig.build.json`, '--outDir', `${dir}/dist`],
    {
      encoding: 'utf8',
    },
  )
  t.equal(tsc.status, 0, `tsc: ${tsc.stdout}`)
  const main = `${dir}/dist/agent/main.js`

  const help = spawnSync(process.execPath, [main, '--help'], { encoding: 'utf8', env })
  t.equal(help.status, 0)
  t.match(help.stdout, /Usage: memlens \[serve\|snapshot\|top\] \[flags\]\n +memlens explain/)
  const wrong = spawnSync(process.execPath, [main, '--bogus'], { encoding: 'utf8', env })
  t.equal(wrong.status, 2, 'a wrong flag exits 2')
  t.equal(wrong.stderr.trim().split('\n').length, 1, 'with a one-line error')

  // The README's way to a `memlens` on the PATH: npm link (here into a prefix of the test's own).
  const pkg = JSON.parse(readFileSync(`${repo}/package.json`, 'utf8')) as { version: string; bin: Record<string, string> }
  t.same(pkg.bin, { memlens: 'dist/agent/main.js' }, 'the bin is what tsc makes of agent/main.ts')
  t.match(readFileSync(`${repo}/agent/main.ts`, 'utf8'), /^#!\/usr\/bin\/env node\n/, 'with a shebang')
  const prefix = `${dir}/global`
  const link = spawnSync('npm', ['link', '--offline', '--ignore-scripts', '--no-audit', '--no-fund'], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...env, npm_config_prefix: prefix },
  })
  t.equal(link.status, 0, `npm link: ${link.stderr.slice(-500)}`)
  const linked = spawnSync(`${prefix}/bin/memlens`, ['--version'], { encoding: 'utf8', env })
  t.equal(linked.status, 0, `memlens --version: ${linked.stderr}`)
  t.equal(linked.stdout, `memlens ${pkg.version}\n`)
  const helped = spawnSync(`${prefix}/bin/memlens`, ['help'], { encoding: 'utf8', env })
  t.equal(helped.status, 0, 'memlens help')
  t.match(helped.stdout, /Usage: memlens/)

  mkdirSync(`${dir}/tree`)
  const tree = buildTree(`${dir}/tree`, { version: 'v2', layout: 'systemd-containerd' })
  const child = spawn(
    process.execPath,
    [main, 'serve', '--cgroup-root', tree.cgroupRoot, '--listen', '127.0.0.1:0', '--log-level', 'warn'],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
      env,
    },
  )
  t.teardown(() => void child.kill('SIGTERM'))
  const url = await new Promise<string>((resolve, reject) => {
    let out = ''
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString()
      const m = /metrics: +(http:\/\/\S+\/metrics)/.exec(out)
      if (m?.[1] !== undefined) resolve(m[1])
    })
    child.once('exit', (code) => reject(new Error(`memlens exited ${code}: ${out}`)))
  })
  let body = ''
  await until(
    'the first collection in /metrics',
    async () => (body = await (await fetch(url)).text()).includes('memlens_container_memory_working_set_bytes'),
    10_000,
  )
  t.match(body, /memlens_container_memory_working_set_bytes\{id="\/kubepods\.slice\//)
  t.match(body, /memlens_build_info\{version="\d+\.\d+\.\d+"/, 'the version comes from package.json')
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  child.kill('SIGTERM')
  t.equal(await exited, 0, 'SIGTERM stops it cleanly')
})

t.test('the npm package carries the compiled agent and its docs', async (t) => {
  // prepack compiles the agent, so the package always carries a fresh dist/.
  const pack = spawnSync('npm', ['pack', '--dry-run', '--json'], { cwd: repo, encoding: 'utf8', env })
  t.equal(pack.status, 0, pack.stderr.slice(-500))
  const files = (JSON.parse(pack.stdout) as { files: { path: string }[] }[])[0]?.files.map((f) => f.path) ?? []
  t.ok(files.includes('package.json'))
  t.ok(files.includes('README.md'))
  t.ok(files.includes('dist/agent/main.js'), 'the compiled entry point')
  t.ok(files.includes('dist/agent/cgroup/read.js'))
  t.notOk(
    files.some((f) => f.startsWith('test/') || f.startsWith('agent/')),
    'no sources or tests',
  )
})
