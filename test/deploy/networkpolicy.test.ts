// Who may reach the agents: pods of the monitoring namespace, on the metrics port only.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { DaemonSet } from 'kubernetes-models/apps/v1'
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1'
import { findKubectl, kustomize, requireKubectl } from './kubectl.js'
import { manifestsDir, only, parseObjects, readKustomization, repoRoot, single } from './manifests.js'

const objects = readKustomization(manifestsDir)
const np = only(objects, 'networking.k8s.io/v1', 'NetworkPolicy')
const ds = only(objects, 'apps/v1', 'DaemonSet')
if (!NetworkPolicy.is(np) || !DaemonSet.is(ds)) throw new Error('objects are not what their kind says')
const pod = ds.spec?.template
const container = single(pod?.spec?.containers, 'container')

t.test('it selects the agent pods', async (t) => {
  const matchLabels = np.spec?.podSelector.matchLabels ?? {}
  t.ok(Object.keys(matchLabels).length > 0, 'by labels, not every pod of the namespace')
  t.match(pod?.metadata?.labels, matchLabels)
  t.equal(np.spec?.podSelector.matchExpressions, undefined)
  t.equal(np.metadata?.namespace, ds.metadata?.namespace)
})

t.test('ingress only: from the monitoring namespace to the metrics port', async (t) => {
  // Egress is deliberately left open: docs/security.md.
  t.strictSame(np.spec?.policyTypes, ['Ingress'])
  t.equal(np.spec?.egress, undefined)
  const rule = single(np.spec?.ingress, 'ingress rule')
  t.strictSame(
    rule.from,
    [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }],
    'one peer: every pod of that namespace, no ipBlock, no other namespace',
  )
  const port = single(rule.ports, 'port')
  t.equal(port.protocol, 'TCP')
  t.equal(port.endPort, undefined, 'one port, not a range')
  const served = single(container.ports, 'container port')
  t.equal(port.port, served.name, 'the named container port, which follows a new number')
})

t.test('a rule with no peers or no ports would open everything: neither is empty', async (t) => {
  for (const rule of np.spec?.ingress ?? []) {
    t.ok((rule.from ?? []).length > 0, 'from is not empty (empty means every source)')
    t.ok((rule.ports ?? []).length > 0, 'ports is not empty (empty means every port)')
  }
})

const kubectl = findKubectl()
const skip = 'skip' in kubectl && !requireKubectl() ? kubectl.skip : false

t.test('another monitoring namespace: the patch docs/deploy.md shows', { skip }, async (t) => {
  if ('skip' in kubectl) throw new Error(`MEMLENS_REQUIRE_KUBECTL=1: ${kubectl.skip}`)
  const dir = t.testdir({
    'kustomization.yaml': `resources:
  - ${relative(t.testdirName, manifestsDir)}
patches:
  - target: {kind: NetworkPolicy, name: memlens}
    patch: |-
      - op: replace
        path: /spec/ingress/0/from/0/namespaceSelector/matchLabels/kubernetes.io~1metadata.name
        value: prometheus
`,
  })
  const doc = readFileSync(join(repoRoot, 'docs', 'deploy.md'), 'utf8')
  t.match(doc, 'path: /spec/ingress/0/from/0/namespaceSelector/matchLabels/kubernetes.io~1metadata.name', 'the same path')
  const built = only(parseObjects(kustomize(kubectl, dir), 'patched'), 'networking.k8s.io/v1', 'NetworkPolicy')
  if (!NetworkPolicy.is(built)) throw new Error('not a NetworkPolicy')
  t.strictSame(built.spec?.ingress?.[0]?.from, [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'prometheus' } } }])
})
