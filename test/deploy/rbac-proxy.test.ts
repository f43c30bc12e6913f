// The kube-rbac-proxy example of docs/security.md, built as a reader would use it: the
// base plus the patch, copied from the document, through kubectl kustomize.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { DaemonSet } from 'kubernetes-models/apps/v1'
import { findKubectl, kustomize, requireKubectl } from './kubectl.js'
import { manifestsDir, parseObjects, repoRoot, single } from './manifests.js'
import { unknownFields, validateSchema } from './schema.js'

const doc = readFileSync(join(repoRoot, 'docs', 'security.md'), 'utf8')
/** The YAML block whose first line names the file. */
const block = (file: string): string => {
  const m = new RegExp('```yaml\\n# ' + file.replace('.', '\\.') + '[^\\n]*\\n([\\s\\S]*?)```').exec(doc)
  if (m?.[1] === undefined) throw new Error(`docs/security.md has no yaml block starting "# ${file}"`)
  return m[1]
}

const kubectl = findKubectl()
const skip = 'skip' in kubectl && !requireKubectl() ? kubectl.skip : false

t.test('the documented sidecar patch builds, and memlens listens on loopback only', { skip }, async (t) => {
  if ('skip' in kubectl) throw new Error(`MEMLENS_REQUIRE_KUBECTL=1: ${kubectl.skip}`)
  const dir = t.testdir({
    'rbac-proxy.yaml': block('rbac-proxy.yaml'),
    'kustomization.yaml': `resources:
  - ${relative(t.testdirName, join(manifestsDir, 'base'))}
patches:
  - path: rbac-proxy.yaml
`,
  })
  const raw = single(
    parseObjects(kustomize(kubectl, dir), 'rbac-proxy').filter((o) => o.kind === 'DaemonSet'),
    'DaemonSet',
  )
  if (!DaemonSet.is(raw)) throw new Error('not a DaemonSet')
  t.doesNotThrow(() => validateSchema(raw))
  t.strictSame(unknownFields(raw), [])
  const pod = raw.spec?.template.spec
  const byName = new Map((pod?.containers ?? []).map((c) => [c.name, c]))
  const memlens = byName.get('memlens')
  const proxy = byName.get('kube-rbac-proxy')
  t.equal(memlens?.args?.[memlens.args.indexOf('--listen') + 1], '127.0.0.1:9597')
  t.ok(memlens?.args?.includes('--cgroup-root'), 'the rest of the arguments kept')
  t.ok(proxy?.args?.includes('--upstream=http://127.0.0.1:9597/'))
  const https = proxy?.ports?.find((p) => p.name === 'https')
  t.equal(https?.containerPort, 8443)
  for (const probe of [memlens?.readinessProbe, memlens?.livenessProbe]) {
    t.match(probe, { httpGet: { port: 'https', scheme: 'HTTPS' } }, 'probes go through the proxy')
    t.ok(proxy?.args?.some((a) => a.startsWith('--ignore-paths=') && a.includes(String(probe?.httpGet?.path))))
  }
  t.equal(proxy?.securityContext?.runAsUser, undefined, "the proxy runs as the pod's uid")
  t.match(proxy?.securityContext, {
    runAsNonRoot: true,
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ['ALL'] },
  })
  const mounted = new Set((pod?.containers ?? []).flatMap((c) => (c.volumeMounts ?? []).map((m) => m.name)))
  t.strictSame(
    (pod?.volumes ?? []).map((v) => v.name).filter((n) => !mounted.has(n)),
    [],
    'every volume mounted',
  )
})
