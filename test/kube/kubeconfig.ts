// A kubeconfig that points memlens at a local fake API server, for tests and bench/.
import { writeFileSync } from 'node:fs'

export function writeKubeconfig(path: string, serverUrl: string): string {
  writeFileSync(
    path,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'fake', cluster: { server: serverUrl, 'insecure-skip-tls-verify': true } }],
      users: [{ name: 'memlens', user: {} }],
      contexts: [{ name: 'fake', context: { cluster: 'fake', user: 'memlens' } }],
      'current-context': 'fake',
    }),
  )
  return path
}
