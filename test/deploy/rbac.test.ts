// Least privilege: the agent reads pods and writes events, nothing else.
import t from 'tap'
import { ClusterRole, ClusterRoleBinding, type IPolicyRule } from 'kubernetes-models/rbac.authorization.k8s.io/v1'
import { DaemonSet } from 'kubernetes-models/apps/v1'
import { manifestsDir, only, overlayDir, readKustomization } from './manifests.js'

const objects = readKustomization(overlayDir)
const roleObject = only(objects, 'rbac.authorization.k8s.io/v1', 'ClusterRole')
const bindingObject = only(objects, 'rbac.authorization.k8s.io/v1', 'ClusterRoleBinding')
if (!ClusterRole.is(roleObject) || !ClusterRoleBinding.is(bindingObject)) {
  throw new Error('RBAC objects are not what their kind says')
}
const role = roleObject
const binding = bindingObject

/** One line per grant, so the comparison is independent of how rules are grouped. */
const grants = (rules: readonly IPolicyRule[]): string[] =>
  rules
    .flatMap((r) =>
      (r.apiGroups ?? ['<none>']).flatMap((g) =>
        (r.resources ?? ['<none>']).flatMap((res) => r.verbs.map((v) => `${g === '' ? 'core' : g}/${res} ${v}`)),
      ),
    )
    .sort()

t.test('the ClusterRole grants exactly what the agent uses', async (t) => {
  t.strictSame(grants(role.rules ?? []), ['core/events create', 'core/pods get', 'core/pods list', 'core/pods watch'])
})

t.test('no wildcards, no URLs, no resource names, no aggregation', async (t) => {
  for (const r of role.rules ?? []) {
    for (const field of [r.apiGroups, r.resources, r.verbs]) {
      t.notOk(field?.includes('*'), `no * in ${JSON.stringify(r)}`)
    }
    t.equal(r.nonResourceURLs, undefined)
    t.equal(r.resourceNames, undefined)
  }
  t.equal(role.aggregationRule, undefined)
  t.notOk(
    (role.rules ?? []).some((r) => r.resources?.some((res) => /secret|configmap|\//.test(res))),
    'no secrets, config maps or subresources',
  )
})

t.test('the binding gives the role to the agent service account only', async (t) => {
  t.strictSame(binding.roleRef, {
    apiGroup: 'rbac.authorization.k8s.io',
    kind: 'ClusterRole',
    name: role.metadata?.name,
  })
  t.strictSame(binding.subjects, [{ kind: 'ServiceAccount', name: 'memlens', namespace: 'memlens' }])
  const sa = only(objects, 'v1', 'ServiceAccount')
  t.equal(sa.metadata.name, 'memlens')
  t.equal(sa.metadata.namespace, 'memlens')
  const ds = only(readKustomization(manifestsDir), 'apps/v1', 'DaemonSet')
  t.ok(DaemonSet.is(ds) && ds.spec?.template.spec?.serviceAccountName === sa.metadata.name)
})

t.test('no other RBAC objects', async (t) => {
  t.strictSame(
    objects.filter((o) => o.apiVersion.startsWith('rbac.authorization.k8s.io/')).map((o) => o.kind),
    ['ClusterRole', 'ClusterRoleBinding'],
  )
})
