// Generates a fake cgroup mount for the benchmark: kubelet's systemd driver with containerd,
// N pods over the three QoS classes, C container cgroups per pod, every cgroup directory holding
// copies of a real kernel capture with its numbers varied so no two cgroups read the same.
//
//   v1: ROOT/memory/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod<uid_>.slice/
//         cri-containerd-<64hex>.scope/memory.stat ...
//   v2: ROOT/cgroup.controllers, ROOT/kubepods.slice/... (same names, no controller folder)
//
// CAVEAT: this tree lives on tmpfs or ext4, not cgroupfs. A read here copies from the page
// cache; on a node it runs kernel code (a flush of per-cpu memcg statistics, then kernfs and
// seq_file formatting), so absolute times differ from a node's. The same tree is read by the C
// floor and by the agent, so the ratio between them is the figure that carries over.
//
// The tree goes under /dev/shm when it is writable, else os.tmpdir(); --out picks a directory.
// CLI: node bench/gen-tree.js [--version v1|v2] [--pods 500] [--containers 4] [--seed 1] [--out DIR]
import { accessSync, constants, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { CAPTURES, FILES } from './files.js'

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const V1_UNLIMITED = '9223372036854771712'
const PAGE = 4096
const MiB = 1024 * 1024
const CONTROLLERS = 'cpuset cpu io memory pids\n'
const QOS_CYCLE = ['guaranteed', 'burstable', 'burstable', 'burstable', 'besteffort']

/**
 * tmpfs when there is one: 70k small files are written and removed per tree, and on a disk
 * filesystem their writeback competes with the measurement. Reads cost the same on both.
 */
export function defaultTmp() {
  try {
    accessSync('/dev/shm', constants.W_OK)
    return '/dev/shm'
  } catch {
    return tmpdir()
  }
}

/** Small deterministic PRNG (mulberry32), so a seed gives the same tree every time. */
export function rng(seed) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export function hex(rand, n) {
  let s = ''
  for (let i = 0; i < n; i++) s += ((rand() * 16) | 0).toString(16)
  return s
}

/** A random v4 UUID, as the API server gives pods. */
export function dashedUid(rand) {
  const h = hex(rand, 32)
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20)}`
}

function podUid(rand, i) {
  // Static pods (kube-apiserver and friends) carry a 32-hex config hash without dashes.
  if (i % 100 === 7) return hex(rand, 32)
  return dashedUid(rand)
}

function readTemplates(version) {
  const dir = join(REPO, CAPTURES[version])
  /** @type {Map<string, string>} */
  const files = new Map()
  for (const name of readdirSync(dir)) files.set(name, readFileSync(join(dir, name), 'latin1'))
  for (const f of FILES[version]) {
    if (!files.has(f.name)) throw new Error(`${CAPTURES[version]} lacks ${f.name}, which the agent reads`)
  }
  return files
}

// Whole numbers that stand alone (`anon 983040`, `total=0`); floats (`avg10=0.24`) and
// values beyond 2^53 (v1's "unlimited") are left as they are.
const NUMBER = /(^|[ =])(\d{1,15})(?=\s|$)/gm

function vary(text, factor) {
  return text.replace(NUMBER, (_m, pre, digits) => {
    const n = Number(digits)
    if (n === 0) return pre + digits
    const scaled = n * factor
    const out = n % PAGE === 0 ? Math.max(PAGE, Math.round(scaled / PAGE) * PAGE) : Math.round(scaled)
    return pre + String(out)
  })
}

function psi(rand) {
  const some = Math.floor(rand() * 5e6)
  const full = Math.floor(some * rand())
  const a = (x) => x.toFixed(2)
  return (
    `some avg10=${a(rand())} avg60=${a(rand() / 2)} avg300=${a(rand() / 4)} total=${some}\n` +
    `full avg10=${a(rand() / 2)} avg60=${a(rand() / 4)} avg300=${a(rand() / 8)} total=${full}\n`
  )
}

// A few containers that hit their limit and were OOM-killed, so counters are not all zero.
function v2Events(rand) {
  const kills = 1 + Math.floor(rand() * 3)
  return `low 0\nhigh 0\nmax ${kills * (100 + Math.floor(rand() * 2000))}\noom ${kills}\noom_kill ${kills}\noom_group_kill 0\n`
}

function v1OomControl(rand) {
  return `oom_kill_disable 0\nunder_oom 0\noom_kill ${1 + Math.floor(rand() * 3)}\n`
}

/** @param {'v1' | 'v2'} version @param {'root' | 'slice' | 'pod' | 'container' | 'other'} kind */
function writeCgroup(dir, version, templates, rand, kind, limitBytes) {
  mkdirSync(dir, { recursive: true })
  const factor = 0.3 + rand() * 1.4
  const isRootV2 = version === 'v2' && kind === 'root'
  for (const [name, text] of templates) {
    // The v2 root cgroup has no memory.current/max/events; it keeps stat, pressure, numa_stat.
    if (isRootV2 && !['memory.stat', 'memory.pressure', 'memory.numa_stat'].includes(name)) continue
    let out
    if (name === 'memory.pressure') out = psi(rand)
    else if (name === 'memory.limit_in_bytes') out = limitBytes === undefined ? `${V1_UNLIMITED}\n` : `${limitBytes}\n`
    else if (name === 'memory.max') out = limitBytes === undefined ? 'max\n' : `${limitBytes}\n`
    else if (name === 'memory.events' && kind === 'container' && rand() < 0.05) out = v2Events(rand)
    else if (name === 'memory.oom_control' && kind === 'container' && rand() < 0.05) out = v1OomControl(rand)
    else out = vary(text, factor)
    writeFileSync(join(dir, name), out)
  }
  if (version === 'v1') {
    writeFileSync(join(dir, 'cgroup.procs'), kind === 'container' ? `${1000 + ((rand() * 60000) | 0)}\n` : '')
    writeFileSync(join(dir, 'tasks'), '')
  } else {
    writeFileSync(join(dir, 'cgroup.controllers'), CONTROLLERS)
    writeFileSync(join(dir, 'cgroup.subtree_control'), kind === 'container' ? '' : CONTROLLERS)
    writeFileSync(join(dir, 'cgroup.procs'), kind === 'container' ? `${1000 + ((rand() * 60000) | 0)}\n` : '')
    writeFileSync(join(dir, 'cgroup.events'), 'populated 1\nfrozen 0\n')
  }
}

/**
 * @param {{ version: 'v1' | 'v2', pods?: number, containersPerPod?: number, seed?: number, out?: string }} opts
 * @returns {{ version: 'v1' | 'v2', base: string, cgroupRoot: string, hierarchyRoot: string, listFile: string,
 *   pods: number, containers: number, cgroupDirs: string[], expected: { podUid: string, qos: string, containerIds: string[] }[] }}
 */
export function generateTree({ version, pods = 500, containersPerPod = 4, seed = 1, out, tmp = defaultTmp() }) {
  const base = out === undefined ? mkdtempSync(join(tmp, `memlens-bench-${version}-`)) : resolve(out)
  const cgroupRoot = join(base, 'root')
  const hierarchyRoot = version === 'v1' ? join(cgroupRoot, 'memory') : cgroupRoot
  const templates = readTemplates(version)
  const rand = rng(seed * 7919 + (version === 'v1' ? 1 : 2))

  mkdirSync(cgroupRoot, { recursive: true })
  if (version === 'v2') {
    writeFileSync(join(cgroupRoot, 'cgroup.controllers'), CONTROLLERS)
    writeFileSync(join(cgroupRoot, 'cgroup.subtree_control'), CONTROLLERS)
  }
  writeCgroup(hierarchyRoot, version, templates, rand, 'root', undefined)

  // A little of what a node runs beside Kubernetes, which 'kubernetes' scope must skip.
  for (const svc of ['containerd', 'kubelet', 'sshd', 'systemd-journald', 'chronyd']) {
    writeCgroup(join(hierarchyRoot, 'system.slice', `${svc}.service`), version, templates, rand, 'other', undefined)
  }

  const kubepods = join(hierarchyRoot, 'kubepods.slice')
  writeCgroup(kubepods, version, templates, rand, 'slice', 16 * 1024 * MiB)
  for (const q of ['burstable', 'besteffort']) {
    writeCgroup(join(kubepods, `kubepods-${q}.slice`), version, templates, rand, 'slice', undefined)
  }

  const cgroupDirs = []
  const expected = []
  for (let i = 0; i < pods; i++) {
    const qos = QOS_CYCLE[i % QOS_CYCLE.length] ?? 'burstable'
    const uid = podUid(rand, i)
    const uidPath = uid.replaceAll('-', '_')
    const podDir =
      qos === 'guaranteed'
        ? join(kubepods, `kubepods-pod${uidPath}.slice`)
        : join(kubepods, `kubepods-${qos}.slice`, `kubepods-${qos}-pod${uidPath}.slice`)
    const containerLimit = qos === 'besteffort' ? undefined : (64 + Math.floor(rand() * 1984)) * MiB
    writeCgroup(podDir, version, templates, rand, 'pod', containerLimit === undefined ? undefined : containerLimit * containersPerPod)
    cgroupDirs.push(podDir)
    const containerIds = []
    for (let c = 0; c < containersPerPod; c++) {
      const id = hex(rand, 64)
      const dir = join(podDir, `cri-containerd-${id}.scope`)
      writeCgroup(dir, version, templates, rand, 'container', containerLimit)
      cgroupDirs.push(dir)
      containerIds.push(id)
    }
    expected.push({ podUid: uid, qos, containerIds })
  }

  const listFile = join(base, 'cgroups.txt')
  writeFileSync(listFile, cgroupDirs.join('\n') + '\n')
  return {
    version,
    base,
    cgroupRoot,
    hierarchyRoot,
    listFile,
    pods,
    containers: pods * containersPerPod,
    cgroupDirs,
    expected,
  }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      version: { type: 'string', default: 'v2' },
      pods: { type: 'string', default: '500' },
      containers: { type: 'string', default: '4' },
      seed: { type: 'string', default: '1' },
      out: { type: 'string' },
    },
  })
  const version = values.version
  if (version !== 'v1' && version !== 'v2') throw new Error('--version must be v1 or v2')
  const t0 = performance.now()
  const tree = generateTree({
    version,
    pods: Number(values.pods),
    containersPerPod: Number(values.containers),
    seed: Number(values.seed),
    out: values.out,
  })
  const { cgroupDirs: _dirs, expected: _expected, ...summary } = tree
  console.log(JSON.stringify({ ...summary, cgroups: tree.cgroupDirs.length, ms: Math.round(performance.now() - t0) }, null, 2))
}
