import t from 'tap'
import { relative } from 'node:path'
import { findKubectl, kustomize, requireKubectl } from './kubectl.js'
import {
  componentDir,
  isRecord,
  manifestsDir,
  objectKey,
  overlayDir,
  parseObjects,
  readKustomization,
  ruleComponentDir,
  type KubeObject,
} from './manifests.js'
import { hasSchema, unknownFields, validateSchema } from './schema.js'

const base = readKustomization(manifestsDir)
const withOperator = readKustomization(overlayDir)

const kinds = (objects: readonly KubeObject[]): string[] => objects.map((o) => `${o.apiVersion} ${o.kind}`).sort()

const byKey = (objects: readonly KubeObject[]): Map<string, KubeObject> => new Map(objects.map((o) => [objectKey(o), o]))

t.test('the base holds what the agent needs and nothing that needs a CRD', async (t) => {
  t.strictSame(kinds(base), [
    'apps/v1 DaemonSet',
    'networking.k8s.io/v1 NetworkPolicy',
    'rbac.authorization.k8s.io/v1 ClusterRole',
    'rbac.authorization.k8s.io/v1 ClusterRoleBinding',
    'v1 Namespace',
    'v1 Service',
    'v1 ServiceAccount',
  ])
  t.equal(byKey(base).size, base.length, 'no object twice')
})

t.test('the prometheus-operator overlay is the base plus a ServiceMonitor and rules', async (t) => {
  const added = withOperator.filter((o) => !byKey(base).has(objectKey(o)))
  t.strictSame(kinds(added), ['monitoring.coreos.com/v1 PrometheusRule', 'monitoring.coreos.com/v1 ServiceMonitor'])
  t.strictSame([...readKustomization(componentDir), ...readKustomization(ruleComponentDir)], added, 'the two components add exactly that')
  t.strictSame(
    withOperator.filter((o) => byKey(base).has(objectKey(o))),
    base,
    'and changes nothing in the base',
  )
})

t.test('every object validates against the Kubernetes schema', async (t) => {
  for (const o of withOperator) {
    if (!hasSchema(o)) continue
    t.doesNotThrow(() => validateSchema(o), objectKey(o))
    t.strictSame(unknownFields(o), [], `${objectKey(o)}: no field the API does not define`)
  }
  t.strictSame(
    withOperator.filter((o) => !hasSchema(o)).map((o) => o.kind),
    ['ServiceMonitor', 'PrometheusRule'],
    'only the operator objects lack a schema here (service.test.ts, test/rules/ check them)',
  )
})

t.test('the schema checks can fail', async (t) => {
  const [ds] = parseObjects(
    `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: x}
spec:
  selector: {matchLabels: {a: b}}
  template:
    metadata: {labels: {a: b}}
    spec:
      containers:
        - name: c
          image: i
          securityContext: {readOnlyRootFileSystem: true}
`,
    'typo.yaml',
  )
  if (ds === undefined) throw new Error('no object parsed')
  t.strictSame(unknownFields(ds), ['.spec.template.spec.containers[0].securityContext.readOnlyRootFileSystem'])
  const wrongType = { ...ds, spec: { ...(isRecord(ds['spec']) ? ds['spec'] : {}), minReadySeconds: 'soon' } }
  t.throws(() => validateSchema(wrongType))
  t.throws(() => validateSchema({ ...ds, kind: 'Unknown' }), /no schema/)
})

t.test('every object is labelled and lives in the memlens namespace', async (t) => {
  for (const o of withOperator) {
    const labels = o.metadata['labels'] ?? {}
    t.match(labels, { 'app.kubernetes.io/name': 'memlens', 'app.kubernetes.io/part-of': 'memlens' }, objectKey(o))
    const clusterScoped = ['Namespace', 'ClusterRole', 'ClusterRoleBinding'].includes(o.kind)
    t.equal(o.metadata.namespace, clusterScoped ? undefined : 'memlens', `${objectKey(o)} namespace`)
  }
})

const kubectl = findKubectl()
const skip = 'skip' in kubectl && !requireKubectl() ? kubectl.skip : false

t.test('kubectl kustomize builds the same objects', { skip }, async (t) => {
  if ('skip' in kubectl) throw new Error(`MEMLENS_REQUIRE_KUBECTL=1: ${kubectl.skip}`)
  t.comment(`kubectl ${kubectl.version}, kustomize ${kubectl.kustomizeVersion}`)
  for (const [dir, expected] of [
    [manifestsDir, base],
    [overlayDir, withOperator],
  ] as const) {
    const built = parseObjects(kustomize(kubectl, dir), `kubectl kustomize ${dir}`)
    t.strictSame(Object.fromEntries(byKey(built)), Object.fromEntries(byKey(expected)), relative(manifestsDir, dir) || 'manifests/')
  }
})

t.test('kustomize images: changes the image, as docs/deploy.md says', { skip }, async (t) => {
  if ('skip' in kubectl) throw new Error(`MEMLENS_REQUIRE_KUBECTL=1: ${kubectl.skip}`)
  // kustomize refuses absolute paths, so the overlay points back relatively.
  const dir = t.testdir({
    'kustomization.yaml': `resources:
  - ${relative(t.testdirName, manifestsDir)}
images:
  - name: ghcr.io/memlens/memlens
    newName: registry.example.com/platform/memlens
    newTag: 0.1.1
`,
  })
  const built = kustomize(kubectl, dir)
  t.match(built, /image: registry\.example\.com\/platform\/memlens:0\.1\.1\n/)
  t.notMatch(built, /ghcr\.io\/memlens/)
})

t.test('kustomize namespace: moves everything, the binding and monitor too', { skip }, async (t) => {
  if ('skip' in kubectl) throw new Error(`MEMLENS_REQUIRE_KUBECTL=1: ${kubectl.skip}`)
  const dir = t.testdir({
    'kustomization.yaml': `resources:
  - ${relative(t.testdirName, overlayDir)}
namespace: monitoring
`,
  })
  const built = parseObjects(kustomize(kubectl, dir), 'namespace overlay')
  const namespaced = built.filter((o) => !['Namespace', 'ClusterRole', 'ClusterRoleBinding'].includes(o.kind))
  t.strictSame([...new Set(namespaced.map((o) => o.metadata.namespace))], ['monitoring'])
  t.strictSame(
    built.filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name),
    ['monitoring'],
  )
  const binding = built.find((o) => o.kind === 'ClusterRoleBinding')
  t.match(binding, { subjects: [{ kind: 'ServiceAccount', name: 'memlens', namespace: 'monitoring' }] })
})
