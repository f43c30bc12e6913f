// Writes one fake cgroup directory: copies of a real kernel capture with their numbers
// varied, so no two cgroups read the same.
//
// CAVEAT: these trees live on tmpfs or ext4, not cgroupfs. A read here copies from the page
// cache; on a node it runs kernel code (a flush of per-cpu memcg statistics, then kernfs and
// seq_file formatting), so absolute times differ from a node's. The same tree is read by the C
// floor and by the agent, so the ratio between them is the figure that carries over.
//
// cgroup.procs: a container lists one live PID, `procsPid` (the benchmark's own process by
// default: it lives for the whole run), so the agent's process view and the C floor read a real
// /proc/PID/status as on a node. Every other cgroup lists none: cgroup v2 allows no process in
// an inner cgroup with controllers (pods, slices), and v1 trees follow the same shape.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { CgroupVersion } from '../agent-api.js'
import { CAPTURES, FILES } from '../files.js'
import { REPO } from '../paths.js'
import type { Random } from './rng.js'

export type CgroupKind = 'root' | 'slice' | 'pod' | 'container' | 'other'

const V1_UNLIMITED = '9223372036854771712'
const PAGE = 4096
const CONTROLLERS = 'cpuset cpu io memory pids\n'

/** The capture's files by name; throws when it lacks a file the agent reads. */
export function readTemplates(version: CgroupVersion): ReadonlyMap<string, string> {
  const dir = join(REPO, CAPTURES[version])
  const files = new Map<string, string>()
  for (const name of readdirSync(dir)) files.set(name, readFileSync(join(dir, name), 'latin1'))
  for (const f of FILES[version]) {
    if (!files.has(f.name)) throw new Error(`${CAPTURES[version]} lacks ${f.name}, which the agent reads`)
  }
  return files
}

// Whole numbers that stand alone (`anon 983040`, `total=0`); floats (`avg10=0.24`) and
// values beyond 2^53 (v1's "unlimited") are left as they are.
const NUMBER = /(^|[ =])(\d{1,15})(?=\s|$)/gm

export function vary(text: string, factor: number): string {
  return text.replace(NUMBER, (_m, pre: string, digits: string) => {
    const n = Number(digits)
    if (n === 0) return pre + digits
    const scaled = n * factor
    const out = n % PAGE === 0 ? Math.max(PAGE, Math.round(scaled / PAGE) * PAGE) : Math.round(scaled)
    return pre + String(out)
  })
}

function psi(rand: Random): string {
  const some = Math.floor(rand() * 5e6)
  const full = Math.floor(some * rand())
  const a = (x: number): string => x.toFixed(2)
  return (
    `some avg10=${a(rand())} avg60=${a(rand() / 2)} avg300=${a(rand() / 4)} total=${some}\n` +
    `full avg10=${a(rand() / 2)} avg60=${a(rand() / 4)} avg300=${a(rand() / 8)} total=${full}\n`
  )
}

// A few containers that hit their limit and were OOM-killed, so counters are not all zero.
function v2Events(rand: Random): string {
  const kills = 1 + Math.floor(rand() * 3)
  return `low 0\nhigh 0\nmax ${kills * (100 + Math.floor(rand() * 2000))}\noom ${kills}\noom_kill ${kills}\noom_group_kill 0\n`
}

function v1OomControl(rand: Random): string {
  return `oom_kill_disable 0\nunder_oom 0\noom_kill ${1 + Math.floor(rand() * 3)}\n`
}

export class CgroupWriter {
  readonly #templates: ReadonlyMap<string, string>
  constructor(
    readonly version: CgroupVersion,
    readonly rand: Random,
    /** The PID each container's cgroup.procs lists. */
    readonly procsPid: number = process.pid,
  ) {
    this.#templates = readTemplates(version)
  }

  write(dir: string, kind: CgroupKind, limitBytes: number | undefined): void {
    const { version, rand } = this
    mkdirSync(dir, { recursive: true })
    const factor = 0.3 + rand() * 1.4
    const isRootV2 = version === 'v2' && kind === 'root'
    for (const [name, text] of this.#templates) {
      // The v2 root cgroup has no memory.current/max/events; it keeps stat, pressure, numa_stat.
      if (isRootV2 && !['memory.stat', 'memory.pressure', 'memory.numa_stat'].includes(name)) continue
      let out: string
      if (name === 'memory.pressure') out = psi(rand)
      else if (name === 'memory.limit_in_bytes') out = limitBytes === undefined ? `${V1_UNLIMITED}\n` : `${limitBytes}\n`
      else if (name === 'memory.max') out = limitBytes === undefined ? 'max\n' : `${limitBytes}\n`
      else if (name === 'memory.events' && kind === 'container' && rand() < 0.05) out = v2Events(rand)
      else if (name === 'memory.oom_control' && kind === 'container' && rand() < 0.05) out = v1OomControl(rand)
      else out = vary(text, factor)
      writeFileSync(join(dir, name), out)
    }
    const procs = kind === 'container' ? `${this.procsPid}\n` : ''
    if (version === 'v1') {
      writeFileSync(join(dir, 'cgroup.procs'), procs)
      writeFileSync(join(dir, 'tasks'), '')
    } else {
      writeFileSync(join(dir, 'cgroup.controllers'), CONTROLLERS)
      writeFileSync(join(dir, 'cgroup.subtree_control'), kind === 'container' ? '' : CONTROLLERS)
      writeFileSync(join(dir, 'cgroup.procs'), procs)
      writeFileSync(join(dir, 'cgroup.events'), 'populated 1\nfrozen 0\n')
    }
  }

  /** The mount root's own files (v2: which controllers there are). */
  writeMountRoot(cgroupRoot: string): void {
    mkdirSync(cgroupRoot, { recursive: true })
    if (this.version === 'v2') {
      writeFileSync(join(cgroupRoot, 'cgroup.controllers'), CONTROLLERS)
      writeFileSync(join(cgroupRoot, 'cgroup.subtree_control'), CONTROLLERS)
    }
  }
}
