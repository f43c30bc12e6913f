import { writeFileSync } from 'node:fs'
import t from 'tap'
import { loadKubeConfig } from '../../agent/kube/kube-config.js'

/** Sets environment variables for one test; the returned function puts them back. */
function setEnv(env: Record<string, string | undefined>): () => void {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]))
  const apply = (values: Record<string, string | undefined>): void => {
    for (const [k, v] of Object.entries(values)) {
      if (v === undefined) delete process.env[k]
      else process.env[k] = v
    }
  }
  apply(env)
  return () => apply(saved)
}

t.test('in-cluster by default', async (t) => {
  t.teardown(setEnv({ KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' }))
  const kc = loadKubeConfig({ inCluster: true })
  t.equal(kc.getCurrentCluster()?.server, 'https://10.96.0.1:443')
  t.equal(kc.getCurrentCluster()?.caFile, '/var/run/secrets/kubernetes.io/serviceaccount/ca.crt')
  t.equal(kc.getCurrentUser()?.authProvider?.config?.tokenFile, '/var/run/secrets/kubernetes.io/serviceaccount/token')
})

t.test('in-cluster with an IPv6 service address', async (t) => {
  t.teardown(setEnv({ KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '443' }))
  t.equal(loadKubeConfig({ inCluster: true }).getCurrentCluster()?.server, 'https://[fd00::1]:443')
})

t.test('outside a cluster without a kubeconfig: a clear error, not https://undefined', async (t) => {
  t.teardown(setEnv({ KUBERNETES_SERVICE_HOST: undefined, KUBERNETES_SERVICE_PORT: undefined }))
  t.throws(() => loadKubeConfig({ inCluster: false }), /KUBERNETES_SERVICE_HOST/)
})

t.test('a kubeconfig file', async (t) => {
  t.teardown(setEnv({ KUBERNETES_SERVICE_HOST: undefined }))
  const dir = t.testdir({})
  const path = `${dir}/config`
  writeFileSync(
    path,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters: [{name: lab, cluster: {server: "https://lab.example:6443"}}]',
      'users: [{name: me, user: {token: abc}}]',
      'contexts: [{name: lab, context: {cluster: lab, user: me}}]',
      'current-context: lab',
      '',
    ].join('\n'),
  )
  t.equal(loadKubeConfig({ kubeconfigPath: path }).getCurrentCluster()?.server, 'https://lab.example:6443')

  const empty = `${dir}/empty`
  writeFileSync(empty, 'apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n')
  t.throws(() => loadKubeConfig({ kubeconfigPath: empty }), /no cluster/)
  t.throws(() => loadKubeConfig({ kubeconfigPath: `${dir}/missing` }), /ENOENT/)
})
