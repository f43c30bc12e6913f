// The command line: `npm run bench -- [mode] [options]`, parsed into one frozen Options.
// Pure (argv in, options out), so each default and each refusal has a test.
import { parseArgs } from 'node:util'
import type { CgroupVersion } from './agent-api.js'

export const MODES = ['figures', 'real', 'cost', 'churn'] as const
export type Mode = (typeof MODES)[number]

export interface Options {
  readonly mode: Mode
  readonly quick: boolean
  readonly help: boolean
  readonly versions: readonly CgroupVersion[]
  /** Pods of the tree (figures, real, churn); containers per pod for every mode. */
  readonly pods: number
  readonly containersPerPod: number
  readonly keep: boolean
  readonly tmpdir: string | undefined
  /** cost: node sizes in cgroups (pods + containers). */
  readonly sizes: readonly number[]
  /** cost: pods the fake API server serves for this node. */
  readonly apiPods: number
  /** cost: seconds of serving measured per agent run, after warm-up. */
  readonly windowSeconds: number
  /** cost: seconds the agent serves (and is scraped) before the window, left out of it. */
  readonly warmupSeconds: number
  /** cost, churn: the agent's --interval, and the same in milliseconds. */
  readonly interval: string
  readonly intervalMs: number
  /** churn: how long pods and containers are created and removed. */
  readonly minutes: number
  /** churn: pods replaced per second. */
  readonly rate: number
  /** churn: the agent also watches a fake API server whose pods churn with the tree. */
  readonly kube: boolean
}

export class UsageError extends Error {
  override readonly name = 'UsageError'
}

export const USAGE = `usage: npm run bench -- [--real | --cost | --churn] [options]

modes (one at a time; the default measures the figures of issue 2 on tmpfs trees):
  (default)          collection vs C floor, /metrics latency, RSS, /healthz under load (1-2 min)
  --real             the same on real cgroup v1 memory cgroups made below our own cgroup
  --cost             standing cost of \`memlens serve\` per node size, with and without
                     Kubernetes names, scraped every 15 s: CPU per collection vs the C floor,
                     peak RSS (~6 min, --quick ~1 min)
  --churn            pods and containers created and removed while the agent serves:
                     series vs live set, RSS and open file descriptors before and after (~1 min)

options:
  --quick            smaller trees and shorter runs (a smoke run)
  --versions v1,v2   cgroup versions (default: v1,v2; --real: v1; --cost and --churn: v2)
  --pods N           pods in the tree (default 500, --quick 50; --churn: 50 live pods)
  --containers N     containers per pod (default 4)
  --keep             keep the generated trees
  --tmpdir DIR       where trees go (default /dev/shm when writable, else the OS temp dir)
  --sizes A,B,C      --cost: node sizes in cgroups (default 200,1000,2500)
  --api-pods N       --cost: pods the fake API server serves for the node (default 100)
  --warmup N         --cost: seconds each agent runs before the window, not measured: start-up,
                     JIT and heap growth (default 20, --quick 3; 0 measures from ready)
  --seconds N        --cost: seconds measured per agent run, after the warm-up (default 30, --quick 4)
  --interval D       --cost, --churn: the agent's --interval (default 1s; --churn 500ms)
  --minutes N        --churn: how long to churn (default 1, --quick 0.25)
  --rate N           --churn: pods replaced per second (default 10)
  --kube             --churn: names from a fake API server whose pods churn too
  -h, --help         this text`

const OPTIONS = {
  real: { type: 'boolean', default: false },
  cost: { type: 'boolean', default: false },
  churn: { type: 'boolean', default: false },
  quick: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
  versions: { type: 'string' },
  pods: { type: 'string' },
  containers: { type: 'string' },
  keep: { type: 'boolean', default: false },
  tmpdir: { type: 'string' },
  sizes: { type: 'string' },
  'api-pods': { type: 'string' },
  seconds: { type: 'string' },
  warmup: { type: 'string' },
  interval: { type: 'string' },
  minutes: { type: 'string' },
  rate: { type: 'string' },
  kube: { type: 'boolean', default: false },
} as const

function positive(flag: string, text: string | undefined, fallback: number, integer = true): number {
  if (text === undefined) return fallback
  const n = Number(text)
  if (text.trim() === '' || !Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
    throw new UsageError(`--${flag}: ${JSON.stringify(text)} is not a positive ${integer ? 'whole ' : ''}number`)
  }
  return n
}

/** Like positive(), but 0 is allowed. */
function nonNegative(flag: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback
  const n = Number(text)
  if (text.trim() === '' || !Number.isFinite(n) || n < 0) throw new UsageError(`--${flag}: ${JSON.stringify(text)} is not a number >= 0`)
  return n
}

/** A duration as the agent's --interval takes it, in the simple forms: 500ms, 1s, 1.5s, 2m. */
export function durationMs(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)$/.exec(text)
  if (m === null) return undefined
  return Number(m[1]) * (m[2] === 'ms' ? 1 : m[2] === 's' ? 1000 : 60_000)
}

function versionsOf(text: string | undefined, fallback: readonly CgroupVersion[]): readonly CgroupVersion[] {
  if (text === undefined) return fallback
  const out: CgroupVersion[] = []
  for (const v of text.split(',').map((s) => s.trim())) {
    if (v !== 'v1' && v !== 'v2') throw new UsageError(`--versions: ${JSON.stringify(v)} is not v1 or v2`)
    if (!out.includes(v)) out.push(v)
  }
  return out
}

function modeOf(flags: { readonly real: boolean; readonly cost: boolean; readonly churn: boolean }): Mode {
  const chosen = (['real', 'cost', 'churn'] as const).filter((m) => flags[m])
  if (chosen.length > 1) throw new UsageError(`choose one mode: ${chosen.map((m) => `--${m}`).join(' and ')} were given`)
  return chosen[0] ?? 'figures'
}

export function parseOptions(argv: readonly string[]): Options {
  let values
  try {
    ;({ values } = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: false, strict: true }))
  } catch (er) {
    throw new UsageError(er instanceof Error ? er.message : String(er))
  }
  const mode = modeOf(values)
  const quick = values.quick
  const only = (flag: string, given: unknown, modes: readonly Mode[]): void => {
    if (given !== undefined && given !== false && !modes.includes(mode)) {
      throw new UsageError(`--${flag} applies to ${modes.map((m) => (m === 'figures' ? 'the default mode' : `--${m}`)).join(', ')} only`)
    }
  }
  only('sizes', values.sizes, ['cost'])
  only('seconds', values.seconds, ['cost'])
  only('warmup', values.warmup, ['cost'])
  only('api-pods', values['api-pods'], ['cost'])
  only('interval', values.interval, ['cost', 'churn'])
  only('minutes', values.minutes, ['churn'])
  only('rate', values.rate, ['churn'])
  only('kube', values.kube, ['churn'])
  only('pods', values.pods, ['figures', 'real', 'churn'])
  only('keep', values.keep, ['figures', 'cost', 'churn'])

  const defaultVersions: readonly CgroupVersion[] = mode === 'figures' ? ['v1', 'v2'] : mode === 'real' ? ['v1'] : ['v2']
  const interval = values.interval ?? (mode === 'churn' ? '500ms' : '1s')
  const intervalMs = durationMs(interval)
  if (intervalMs === undefined || intervalMs < 100)
    throw new UsageError(`--interval: ${JSON.stringify(interval)} is not a duration of at least 100ms (e.g. 500ms, 1s)`)
  const sizes = (values.sizes ?? (quick ? '200,1000' : '200,1000,2500')).split(',').map((s) => positive('sizes', s.trim(), 0))
  return Object.freeze({
    mode,
    quick,
    help: values.help,
    versions: versionsOf(values.versions, defaultVersions),
    pods: positive('pods', values.pods, mode === 'churn' ? (quick ? 20 : 50) : quick ? 50 : 500),
    containersPerPod: positive('containers', values.containers, 4),
    keep: values.keep,
    tmpdir: values.tmpdir,
    sizes,
    apiPods: positive('api-pods', values['api-pods'], 100),
    windowSeconds: positive('seconds', values.seconds, quick ? 4 : 30, false),
    warmupSeconds: nonNegative('warmup', values.warmup, quick ? 3 : 20),
    interval,
    intervalMs,
    minutes: positive('minutes', values.minutes, quick ? 0.25 : 1, false),
    rate: positive('rate', values.rate, 10, false),
    kube: values.kube,
  })
}
