// kubectl is not a project dependency: the tests use the one on PATH (or $KUBECTL) and skip
// the kustomize checks, saying why, where there is none or its kustomize is too old for
// components. MEMLENS_REQUIRE_KUBECTL=1 turns that skip into a failure.
import { spawnSync } from 'node:child_process'
import { isRecord } from './manifests.js'

export interface Kubectl {
  readonly bin: string
  readonly version: string
  readonly kustomizeVersion: string
}

/** kustomize 3.7 brought components; kubectl embeds kustomize 4+ from 1.21 on. */
const MIN_KUSTOMIZE_MAJOR = 4

export function findKubectl(): Kubectl | { readonly skip: string } {
  const bin = process.env['KUBECTL'] ?? 'kubectl'
  const res = spawnSync(bin, ['version', '--client', '-o', 'json'], {
    encoding: 'utf8',
    timeout: 30_000,
  })
  if (res.error !== undefined) {
    return { skip: `${bin} not found (${res.error.message}); set KUBECTL or put kubectl on PATH` }
  }
  if (res.status !== 0) return { skip: `${bin} version failed: ${res.stderr.trim()}` }
  const info: unknown = JSON.parse(res.stdout)
  const client = isRecord(info) && isRecord(info['clientVersion']) ? info['clientVersion'] : {}
  const version = typeof client['gitVersion'] === 'string' ? client['gitVersion'] : 'unknown'
  const kustomizeVersion = isRecord(info) && typeof info['kustomizeVersion'] === 'string' ? info['kustomizeVersion'] : ''
  const major = Number(/^v?(\d+)\./.exec(kustomizeVersion)?.[1] ?? 0)
  if (major < MIN_KUSTOMIZE_MAJOR) {
    return {
      skip: `kubectl ${version} embeds kustomize "${kustomizeVersion}", ` + `older than v${MIN_KUSTOMIZE_MAJOR}`,
    }
  }
  return { bin, version, kustomizeVersion }
}

export function requireKubectl(): boolean {
  return process.env['MEMLENS_REQUIRE_KUBECTL'] === '1'
}

/** `kubectl kustomize DIR`: offline, it reads only the directory. */
export function kustomize(kubectl: Kubectl, dir: string): string {
  const res = spawnSync(kubectl.bin, ['kustomize', dir], { encoding: 'utf8', timeout: 60_000 })
  if (res.error !== undefined) throw res.error
  if (res.status !== 0) throw new Error(`kubectl kustomize ${dir}: ${res.stderr.trim()}`)
  return res.stdout
}
