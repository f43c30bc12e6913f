// A real Prometheus server on loopback, in a temporary directory, and the parts of its HTTP API
// the end-to-end test reads. Nothing listens beyond 127.0.0.1.
import { spawn, type ChildProcess } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { until } from '../helpers/wait.js'

export interface PromSample {
  readonly metric: Readonly<Record<string, string>>
  readonly value: readonly [number, string]
}

export interface PromAlert {
  readonly labels: Readonly<Record<string, string>>
  readonly state: string
  readonly value: string
}

export interface PrometheusServer {
  readonly url: string
  readonly process: ChildProcess
  /** An instant query: the samples, or the error Prometheus gives for the query. */
  query(expr: string): Promise<{ readonly samples: readonly PromSample[] } | { readonly error: string }>
  alerts(): Promise<readonly PromAlert[]>
  stop(): Promise<void>
}

export interface PrometheusOptions {
  readonly bin: string
  readonly dir: string
  readonly port: number
  /** prometheus.yml as an object (JSON is YAML). */
  readonly config: unknown
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

async function api(url: string): Promise<Record<string, unknown>> {
  const body: unknown = await (await fetch(url)).json()
  if (!isRecord(body)) throw new Error(`${url}: not a JSON object`)
  return body
}

export async function startPrometheus(opts: PrometheusOptions): Promise<PrometheusServer> {
  writeFileSync(`${opts.dir}/prometheus.yml`, JSON.stringify(opts.config, null, 2))
  const child = spawn(
    opts.bin,
    [
      `--config.file=${opts.dir}/prometheus.yml`,
      `--storage.tsdb.path=${opts.dir}/data`,
      `--web.listen-address=127.0.0.1:${opts.port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  )
  let stderr = ''
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)))
  let exited = false
  const exit = new Promise<void>((resolve) => child.once('exit', () => ((exited = true), resolve())))
  const url = `http://127.0.0.1:${opts.port}`
  await until(
    'prometheus /-/ready',
    async () => {
      if (exited) throw new Error(`prometheus exited: ${stderr}`)
      return fetch(`${url}/-/ready`).then(
        (r) => r.ok,
        () => false,
      )
    },
    30_000,
  )
  return {
    url,
    process: child,
    async query(expr) {
      const body = await api(`${url}/api/v1/query?query=${encodeURIComponent(expr)}`)
      if (body['status'] !== 'success') return { error: `${String(body['errorType'])}: ${String(body['error'])}` }
      const result = isRecord(body['data']) && Array.isArray(body['data']['result']) ? body['data']['result'] : []
      return { samples: result as PromSample[] }
    },
    async alerts() {
      const body = await api(`${url}/api/v1/alerts`)
      return isRecord(body['data']) && Array.isArray(body['data']['alerts']) ? (body['data']['alerts'] as PromAlert[]) : []
    },
    async stop() {
      if (!exited) child.kill('SIGTERM')
      await exit
    },
  }
}
