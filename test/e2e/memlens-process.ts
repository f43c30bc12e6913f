// A real memlens serve process, run from the TypeScript sources through tap's loader (the
// parent's execArgv), so the test needs no build. Its port comes from its banner.
import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const MAIN = fileURLToPath(new URL('../../agent/main.ts', import.meta.url))

export interface MemlensProcess {
  readonly process: ChildProcess
  /** host:port it listens on. */
  readonly address: string
  stop(): Promise<void>
}

export async function startMemlens(args: readonly string[]): Promise<MemlensProcess> {
  const child = spawn(process.execPath, [...process.execArgv, MAIN, 'serve', '--listen', '127.0.0.1:0', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let exited = false
  const exit = new Promise<void>((resolve) => child.once('exit', () => ((exited = true), resolve())))
  let stderr = ''
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)))
  const address = await new Promise<string>((resolve, reject) => {
    let out = ''
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString()
      const m = /metrics: +http:\/\/([^/\s]+)\/metrics/.exec(out)
      if (m?.[1] !== undefined) resolve(m[1])
    })
    child.once('exit', (code) => reject(new Error(`memlens exited ${code}: ${out}${stderr}`)))
  })
  return {
    process: child,
    address,
    async stop() {
      if (!exited) child.kill('SIGTERM')
      await exit
    },
  }
}
