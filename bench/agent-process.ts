// `memlens serve` as a child process: started on a free port, ready when /readyz says 200,
// stopped with SIGTERM (SIGKILL after 5 s). Its output is kept (the last 20 kB) for errors
// and for counting its warnings.
import { spawn, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { isRecord } from './guards.js'
import { get } from './http.js'
import { MAIN, REPO } from './paths.js'

export interface AgentOptions {
  readonly cgroupRoot: string
  readonly scope?: string
  readonly parent?: string
  /** The agent's --interval; its default when not given. */
  readonly interval?: string
  /** Extra flags for `serve` (--node-name, --kubeconfig). */
  readonly extraArgs?: readonly string[]
  /** V8 flags before the script; none is how the `memlens` command runs. */
  readonly nodeFlags?: readonly string[]
}

export interface RunningAgent {
  readonly pid: number
  readonly url: string
  readonly readyMs: number
  /** The last 20 kB it wrote to stdout and stderr (its log is JSON lines on stderr). */
  output(): string
  /** Log lines at warn level or above since it started, and the first few of them. */
  warnings(): { readonly count: number; readonly first: readonly string[] }
  /** Its exit code or signal once it has exited (by itself, or killed by someone else), else undefined. */
  exitedWith(): string | undefined
  stop(): Promise<void>
}

/** The V8 flags `npm start` gives the agent (and the image's ENTRYPOINT). */
export function npmStartFlags(): string[] {
  const pkg: unknown = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8'))
  const scripts = isRecord(pkg) ? pkg['scripts'] : undefined
  const start = isRecord(scripts) ? scripts['start'] : undefined
  return typeof start === 'string' ? start.split(' ').filter((w) => w.startsWith('--max-')) : []
}

/** The bench's environment without anything that configures memlens (but MEMLENS_NATIVE). */
function agentEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [k, v] of Object.entries(process.env)) {
    if (k.startsWith('MEMLENS_') && k !== 'MEMLENS_NATIVE') continue
    if (k === 'NODE_NAME' || k === 'KUBECONFIG' || k === 'NODE_OPTIONS') continue
    env[k] = v
  }
  return env
}

/** Agent processes alive now, so that a signal can stop them before a tree is removed. */
const live = new Set<ChildProcess>()

export function killAllAgents(): void {
  for (const child of live) child.kill('SIGKILL')
}

export async function startAgent(opts: AgentOptions): Promise<RunningAgent> {
  const args = [MAIN, 'serve', '--cgroup-root', opts.cgroupRoot, '--scope', opts.scope ?? 'kubernetes', '--listen', '127.0.0.1:0']
  if (opts.parent !== undefined && opts.parent !== '/') args.push('--cgroup-parent', opts.parent)
  if (opts.interval !== undefined) args.push('--interval', opts.interval)
  args.push(...(opts.extraArgs ?? []))
  const t0 = performance.now()
  const child = spawn(process.execPath, [...(opts.nodeFlags ?? []), ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: agentEnv() })
  live.add(child)
  let output = ''
  let url: string | undefined
  let partial = ''
  const warnings: { count: number; first: string[] } = { count: 0, first: [] }
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  )
  void exited.then(() => live.delete(child))
  // Keep draining its output so a chatty log never blocks it on a full pipe.
  const onData = (d: Buffer): void => {
    output = (output + d.toString()).slice(-20_000)
    // The banner on stdout ("metrics:  http://127.0.0.1:PORT/metrics") or the JSON log's "url".
    const m = url === undefined ? /http:\/\/(127\.0\.0\.1|\[::1\]|localhost):(\d+)/.exec(output) : null
    if (m !== null && Number(m[2]) > 0) url = `http://${m[1]}:${m[2]}`
  }
  child.stdout.on('data', onData)
  child.stderr.on('data', onData)
  child.stderr.on('data', (d: Buffer) => {
    const lines = (partial + d.toString()).split('\n')
    partial = lines.pop() ?? ''
    for (const line of lines) {
      if (!isWarning(line)) continue
      warnings.count++
      if (warnings.first.length < 5) warnings.first.push(line.slice(0, 500))
    }
  })
  let gone: string | undefined
  void exited.then(({ code, signal }) => (gone = String(code ?? signal)))

  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
    const timeout = sleep(5000).then(() => 'timeout' as const)
    if ((await Promise.race([exited, timeout])) === 'timeout') {
      child.kill('SIGKILL')
      await exited
    }
  }
  try {
    const deadline = performance.now() + 60_000
    for (;;) {
      if (gone !== undefined) throw new Error(`agent exited (${gone}) before it was ready:\n${output.slice(-2000)}`)
      if (url !== undefined) {
        const r = await get(`${url}/readyz`, { fresh: true }).catch(() => undefined)
        if (r?.status === 200) break
      }
      if (performance.now() > deadline) throw new Error(`not ready within 60 s; output:\n${output.slice(-2000)}`)
      await sleep(20)
    }
  } catch (er) {
    await stop()
    throw er
  }
  const pid = child.pid
  if (pid === undefined || url === undefined) throw new Error('agent has no pid or url')
  return { pid, url, readyMs: performance.now() - t0, output: () => output, warnings: () => warnings, exitedWith: () => gone, stop }
}

/** A line of the agent's JSON log at warn level or above (pino: 40 warn, 50 error, 60 fatal). */
export function isWarning(line: string): boolean {
  return /"level":[456]0\b/.test(line)
}
