// The image: linted, multi-stage, no dev dependencies in the final stage, non-root with the
// uid the DaemonSet runs as, OCI labels that agree with package.json.
import t from 'tap'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, posix } from 'node:path'
import { Arg, Copy, DockerfileParser, From, JSONInstruction, Label, Run, type Instruction } from 'dockerfile-ast'
import { validate } from 'dockerfile-utils'
import { DaemonSet } from 'kubernetes-models/apps/v1'
import { isIgnored, parseDockerignore } from './dockerignore.js'
import { WELL_KNOWN_UIDS } from './uids.js'
import { manifestsDir, only, readKustomization, readPackage, repoRoot, single } from './manifests.js'

const text = readFileSync(join(repoRoot, 'Dockerfile'), 'utf8')
const dockerfile = DockerfileParser.parse(text)
const pkg = readPackage()

interface Stage {
  readonly name: string
  readonly image: string
  readonly instructions: Instruction[]
}

const stages: Stage[] = []
for (const i of dockerfile.getInstructions()) {
  if (i instanceof From) {
    stages.push({ name: i.getBuildStage() ?? '', image: i.getImage() ?? '', instructions: [] })
  } else {
    const current = stages.at(-1)
    current?.instructions.push(i)
  }
}
const stage = (name: string): Stage => {
  const s = stages.find((x) => x.name === name)
  if (s === undefined) throw new Error(`no stage ${name}`)
  return s
}
const final = stages.at(-1)
if (final === undefined) throw new Error('Dockerfile has no FROM')

const keyword = (s: Stage, k: string): Instruction[] => s.instructions.filter((i) => i.getKeyword() === k)
const runs = (s: Stage): string[] => s.instructions.filter((i) => i instanceof Run).map((i) => i.getArgumentsContent() ?? '')
const args = (i: Instruction): string[] => i.getArguments().map((a) => a.getValue())
const json = (i: Instruction | undefined): string[] => (i instanceof JSONInstruction ? i.getJSONStrings().map((a) => a.getJSONValue()) : [])
const argDefault = (instructions: readonly Instruction[], name: string): string | undefined =>
  instructions
    .filter((i) => i instanceof Arg)
    .map((i) => i.getProperty())
    .find((p) => p?.getName() === name)
    ?.getValue() ?? undefined

t.test('dockerfile-utils finds nothing to complain about', async (t) => {
  t.strictSame(validate(text), [])
  t.not(validate('FROM\nCOPY onlyone\n').length, 0, 'and it does complain about a broken file')
})

t.test('multi-stage on Node.js 24 LTS, pinned by tag', async (t) => {
  t.ok(stages.length >= 2, 'build and runtime are separate stages')
  const image = argDefault(dockerfile.getInitialARGs(), 'NODE_IMAGE')
  t.match(image, /^node:24(\.\d+){0,2}-(bookworm|trixie)-slim(@sha256:[0-9a-f]{64})?$/)
  for (const s of stages) t.equal(s.image, '${NODE_IMAGE}', `stage ${s.name} is built on it`)
  t.equal(final.name, 'runtime')
})

t.test('the build stage compiles; the final stage installs nothing', async (t) => {
  const build = runs(stage('build')).join('\n')
  t.match(build, /npm ci\b/)
  t.match(build, /npm run build\b/)
  t.notOk(
    runs(final).some((r) => /\bnpm (ci|i|install)\b/.test(r)),
    'no npm install in runtime',
  )
})

t.test('no dev dependencies reach the final stage', async (t) => {
  const copies = final.instructions.filter((i) => i instanceof Copy)
  let nodeModules = 0
  for (const c of copies) {
    const from = c.getFromFlag()?.getValue()
    const sources = args(c).slice(0, -1)
    if (from === undefined || from === null) {
      const line = c.getRange().start.line + 1
      t.notOk(
        sources.some((s) => s === '.' || s.includes('*')),
        `line ${line}: no context copy`,
      )
      continue
    }
    const installs = runs(stage(from)).filter((r) => /\bnpm ci\b/.test(r))
    const prodOnly = installs.length > 0 && installs.every((r) => r.includes('--omit=dev'))
    for (const s of sources.filter((s) => s.includes('node_modules'))) {
      nodeModules++
      t.ok(prodOnly, `${s} comes from stage ${from}, which runs npm ci --omit=dev`)
    }
    if (from === 'native') {
      t.ok(
        sources.every((s) => s.endsWith('.node')),
        'only the compiled addon is taken from stage native',
      )
    } else if (!prodOnly) {
      t.ok(
        sources.every((s) => /\/dist(\/|$)/.test(s)),
        `only dist/ is taken from stage ${from}`,
      )
    }
  }
  t.equal(nodeModules, 1, 'node_modules is copied once')
})

t.test('the native reader is compiled for the target platform; the runtime gets only the .node file', async (t) => {
  const native = stage('native')
  const from = dockerfile.getFROMs().find((f) => f.getBuildStage() === 'native')
  t.equal(from?.getPlatformFlag() ?? null, null, 'no --platform: built for the platform the image is for')
  const build = runs(native).join('\n')
  t.match(build, /apt-get install\b[^\n]*\bpython3\b/)
  t.match(build, /apt-get install\b[^\n]*\bmake\b/)
  t.match(build, /apt-get install\b[^\n]*\bg\+\+/)
  t.match(build, /npm run build:native\b/)
  t.equal(pkg.scripts['build:native'], 'node native/build.mjs')
  const copies = final.instructions.filter((i) => i instanceof Copy && i.getFromFlag()?.getValue() === 'native')
  const copy = single(copies, 'COPY --from=native')
  const [source, dest] = args(copy)
  t.match(source, /^\/src\/native\/build\/Release\/memlens_native\.node$/)
  // dist/agent/kernel/native.js looks three levels up from itself: /app/native/build/Release.
  const workdir = args(single(keyword(final, 'WORKDIR'), 'WORKDIR'))[0] ?? ''
  t.equal(posix.join(workdir, dest ?? ''), '/app/native/build/Release/', 'a directory, kept as it is')
  t.match(readFileSync(join(repoRoot, 'agent/kernel/native.ts'), 'utf8'), "'../../../native/build/Release/memlens_native.node'")
  t.notOk(
    runs(final).some((r) => /apt-get|node-gyp|build:native/.test(r)),
    'nothing is compiled in the runtime stage',
  )
  const build0 = runs(stage('build')).join('\n')
  t.match(build0, /npm ci --ignore-scripts\b/, 'the build stage (build platform) does not compile the addon')
})

t.test('the final stage runs as the non-root uid of the DaemonSet', async (t) => {
  const user = single(keyword(final, 'USER'), 'USER in the final stage')
  const [uid, gid] = (args(user)[0] ?? '').split(':').map(Number)
  t.ok(uid !== undefined && Number.isInteger(uid) && uid > 0, 'numeric, so runAsNonRoot can check it')
  const ds = only(readKustomization(manifestsDir), 'apps/v1', 'DaemonSet')
  if (!DaemonSet.is(ds)) throw new Error('not a DaemonSet')
  const pod = ds.spec?.template.spec
  const container = single(pod?.containers, 'container')
  t.equal(pod?.securityContext?.runAsUser, uid)
  t.equal(pod?.securityContext?.runAsGroup, gid)
  t.equal(container.securityContext?.runAsUser, uid)
  t.equal(container.securityContext?.runAsGroup, gid)
  for (const id of [uid, gid]) {
    t.notOk(id !== undefined && WELL_KNOWN_UIDS.has(id), `${id} is memlens's own, not ${id === undefined ? '' : WELL_KNOWN_UIDS.get(id)}`)
  }
})

t.test('the final stage leaves no setuid or setgid file to escalate through', async (t) => {
  // Matters under the kmsg component: privileged turns no_new_privs off.
  const strip = runs(final).filter((r) => /\bfind \/ -xdev\b[^\n]*-perm \/6000\b[^\n]*chmod (ug|a)-s\b/.test(r))
  t.equal(strip.length, 1, 'one find over the whole image that clears the bits')
  const at = final.instructions.findIndex((i) => i instanceof Run && i.getArgumentsContent() === strip[0])
  const later = final.instructions.slice(at + 1).filter((i) => i instanceof Run || i instanceof Copy || i.getKeyword() === 'ADD')
  t.strictSame(
    later.map((i) => i.getKeyword()),
    [],
    'nothing adds files after it',
  )
})

t.test('OCI labels agree with package.json', async (t) => {
  const labels = Object.fromEntries(
    final.instructions.filter((i) => i instanceof Label).flatMap((l) => l.getProperties().map((p) => [p.getName(), p.getValue()])),
  )
  t.match(labels, {
    'org.opencontainers.image.title': 'memlens',
    'org.opencontainers.image.description': /\S/,
    'org.opencontainers.image.source': /^https:\/\//,
    'org.opencontainers.image.licenses': pkg.license,
    'org.opencontainers.image.version': '${VERSION}',
  })
  t.equal(argDefault(final.instructions, 'VERSION'), pkg.version)
})

t.test('entrypoint, command, port and environment', async (t) => {
  const workdir = args(single(keyword(final, 'WORKDIR'), 'WORKDIR'))[0] ?? ''
  const entrypoint = json(single(keyword(final, 'ENTRYPOINT'), 'ENTRYPOINT'))
  // The same V8 flags as `npm start`: a 4 MiB young generation keeps the resident set
  // ~25 MB smaller at no measurable CPU cost (README, Performance).
  const startFlags = String(pkg.scripts['start'])
    .split(' ')
    .filter((w) => w.startsWith('--max-'))
  t.ok(startFlags.length > 0, 'npm start sets the V8 heap flags')
  t.strictSame(entrypoint, ['node', ...startFlags, '/app/dist/agent/main.js'])
  t.equal(entrypoint.at(-1), posix.join(workdir, String(pkg.bin['memlens'])), 'the package bin')
  const dist = final.instructions.filter((i) => i instanceof Copy && args(i).includes('./dist/agent'))
  t.equal(dist.length, 1, 'dist/agent is copied to where the entrypoint looks')
  t.ok(
    final.instructions.some((i) => i instanceof Copy && args(i)[0] === 'package.json'),
    'package.json is there, for "type": "module"',
  )
  t.strictSame(json(single(keyword(final, 'CMD'), 'CMD')), ['serve', '--listen', '0.0.0.0:9597'])
  t.strictSame(keyword(final, 'EXPOSE').map(args), [['9597']])
  t.strictSame(keyword(final, 'ENV').map(args), [['NODE_ENV=production']])
})

t.test('.dockerignore lets in what the Dockerfile copies, and little else', async (t) => {
  const patterns = parseDockerignore(readFileSync(join(repoRoot, '.dockerignore'), 'utf8'))
  const fromContext = stages.flatMap((s) =>
    s.instructions.filter((i) => i instanceof Copy && i.getFromFlag() === null).flatMap((i) => args(i).slice(0, -1)),
  )
  const files = (path: string): string[] =>
    statSync(join(repoRoot, path)).isDirectory()
      ? readdirSync(join(repoRoot, path), { recursive: true, encoding: 'utf8' })
          .map((f) => posix.join(path, f))
          .filter((f) => statSync(join(repoRoot, f)).isFile())
      : [path]
  for (const source of new Set(fromContext)) {
    t.strictSame(
      files(source).filter((f) => isIgnored(patterns, f)),
      [],
      `${source} is in the context`,
    )
  }
  for (const path of [
    'node_modules/tap/package.json',
    'dist/agent/main.js',
    '.git/HEAD',
    'test/deploy/dockerfile.test.ts',
    'manifests/base/daemonset.yaml',
    '.tap/x',
    'Dockerfile',
  ]) {
    t.ok(isIgnored(patterns, path), `${path} stays out`)
  }
})
