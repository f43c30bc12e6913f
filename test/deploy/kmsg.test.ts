// The opt-in kmsg component: what it adds to the base is exactly the privilege
// docs/security.md describes, nothing more. It patches the DaemonSet, which manifests.ts
// does not model, so every check here builds with kubectl.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { DaemonSet, type IDaemonSet } from 'kubernetes-models/apps/v1'
import { findKubectl, kustomize, requireKubectl, type Kubectl } from './kubectl.js'
import {
  componentDir,
  isRecord,
  kmsgComponentDir,
  kmsgOverlayDir,
  manifestsDir,
  objectKey,
  parseObjects,
  repoRoot,
  single,
  type KubeObject,
} from './manifests.js'
import { unknownFields, validateSchema } from './schema.js'

/** The `name` of every element, if all are objects with distinct string names. */
const names = (list: readonly unknown[]): string[] | undefined => {
  const found = list.map((v) => (isRecord(v) && typeof v['name'] === 'string' ? v['name'] : undefined))
  const strings = found.filter((n): n is string => n !== undefined)
  return strings.length === list.length && new Set(strings).size === list.length ? strings : undefined
}

/**
 * Every difference between two JSON values, one line each: `path: before -> after`.
 * Lists of named objects (containers, volumes, mounts) are compared by name, as a strategic
 * merge matches them, so an element added in front does not read as every other one changed.
 */
function differences(a: unknown, b: unknown, path = ''): string[] {
  if (Array.isArray(a) && Array.isArray(b)) {
    const [na, nb] = [names(a), names(b)]
    if (na !== undefined && nb !== undefined) {
      const keys = [...new Set([...na, ...nb])].sort()
      return keys.flatMap((k) => differences(a[na.indexOf(k)], b[nb.indexOf(k)], `${path}[name=${k}]`))
    }
    const n = Math.max(a.length, b.length)
    return Array.from({ length: n }, (_, i) => differences(a[i], b[i], `${path}[${i}]`)).flat()
  }
  if (isRecord(a) && isRecord(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()
    return keys.flatMap((k) => differences(a[k], b[k], `${path}.${k}`))
  }
  const show = (v: unknown): string => (v === undefined ? '(none)' : JSON.stringify(v))
  return JSON.stringify(a) === JSON.stringify(b) ? [] : [`${path}: ${show(a)} -> ${show(b)}`]
}

t.test('differences finds changes, additions and removals', async (t) => {
  t.strictSame(differences({ a: [1, { b: 2 }], c: 'x' }, { a: [1, { b: 3 }, 4], d: true }), [
    '.a[1].b: 2 -> 3',
    '.a[2]: (none) -> 4',
    '.c: "x" -> (none)',
    '.d: (none) -> true',
  ])
  t.strictSame(differences({ a: [1] }, { a: [1] }), [])
  t.strictSame(differences([{ name: 'x', v: 1 }], [{ name: 'y' }, { name: 'x', v: 2 }]), [
    '[name=x].v: 1 -> 2',
    '[name=y]: (none) -> {"name":"y"}',
  ])
})

const kubectl = findKubectl()
const skip = 'skip' in kubectl && !requireKubectl() ? kubectl.skip : false
const need = (): Kubectl => {
  if ('skip' in kubectl) throw new Error(`MEMLENS_REQUIRE_KUBECTL=1: ${kubectl.skip}`)
  return kubectl
}
const build = (dir: string): KubeObject[] => parseObjects(kustomize(need(), dir), `kubectl kustomize ${dir}`)
const daemonSet = (objects: readonly KubeObject[]): IDaemonSet => {
  const ds = single(
    objects.filter((o) => o.kind === 'DaemonSet'),
    'DaemonSet',
  )
  if (!DaemonSet.is(ds)) throw new Error('not a DaemonSet')
  return ds
}

const CONTAINER = '.spec.template.spec.containers[name=memlens]'

t.test('the overlay adds exactly the device, its mount, the flag and privileged', { skip }, async (t) => {
  const built = build(manifestsDir)
  const base = new Map(built.map((o) => [objectKey(o), o]))
  const n = single(daemonSet(built).spec?.template.spec?.containers, 'container').args?.length ?? 0
  const withKmsg = build(kmsgOverlayDir)
  t.strictSame(withKmsg.map(objectKey).sort(), [...base.keys()].sort(), 'the same objects')
  const changed = withKmsg.flatMap((o) => differences(base.get(objectKey(o)), o).map((d) => `${o.kind} ${d}`))
  t.strictSame(
    changed.sort(),
    [
      `DaemonSet ${CONTAINER}.args[${n}]: (none) -> "--kmsg"`,
      `DaemonSet ${CONTAINER}.args[${n + 1}]: (none) -> "/dev/kmsg"`,
      `DaemonSet ${CONTAINER}.securityContext.allowPrivilegeEscalation: false -> true`,
      `DaemonSet ${CONTAINER}.securityContext.privileged: false -> true`,
      `DaemonSet ${CONTAINER}.volumeMounts[name=kmsg]: (none) -> {"mountPath":"/dev/kmsg","name":"kmsg","readOnly":true}`,
      'DaemonSet .spec.template.spec.volumes[name=kmsg]: (none) -> {"hostPath":{"path":"/dev/kmsg","type":"CharDevice"},"name":"kmsg"}',
    ].sort(),
  )
})

t.test('the patched pod keeps its non-root uid and adds no capability', { skip }, async (t) => {
  const objects = build(kmsgOverlayDir)
  const raw = single(
    objects.filter((o) => o.kind === 'DaemonSet'),
    'DaemonSet',
  )
  const ds = daemonSet(objects)
  const pod = ds.spec?.template.spec
  const container = single(pod?.containers, 'container')
  const sc = container.securityContext
  t.match(sc, { privileged: true, runAsNonRoot: true, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } })
  t.ok((sc?.runAsUser ?? 0) > 0, 'not root: a non-root process keeps no capability across exec')
  t.equal(sc?.capabilities?.add, undefined, 'no capability added (it would not reach a non-root process anyway)')
  // The API server rejects this combination; kubernetes-models does not check it.
  t.not(sc?.allowPrivilegeEscalation, false, 'privileged with allowPrivilegeEscalation false is invalid')
  t.doesNotThrow(() => validateSchema(raw))
  t.strictSame(unknownFields(raw), [])
  const args = container.args ?? []
  t.equal(args[args.indexOf('--kmsg') + 1], '/dev/kmsg', '--kmsg names the mounted device')
  t.equal(args.filter((a) => a === '--kmsg').length, 1)
})

t.test('it composes with the prometheus-operator component', { skip }, async (t) => {
  const dir = t.testdir({
    'kustomization.yaml': `resources:
  - ${relative(t.testdirName, join(manifestsDir, 'base'))}
components:
  - ${relative(t.testdirName, componentDir)}
  - ${relative(t.testdirName, kmsgComponentDir)}
`,
  })
  const objects = build(dir)
  t.ok(objects.some((o) => o.kind === 'ServiceMonitor'))
  t.equal(single(daemonSet(objects).spec?.template.spec?.containers, 'container').securityContext?.privileged, true)
})

t.test('with a sidecar listed first, the flag and privilege still go to memlens alone', { skip }, async (t) => {
  // A kube-rbac-proxy sidecar (docs/security.md) inserted before the agent.
  const dir = t.testdir({
    sidecar: {
      'kustomization.yaml': `resources:
  - ${relative(join(t.testdirName, 'sidecar'), join(manifestsDir, 'base'))}
patches:
  - target: {kind: DaemonSet, name: memlens}
    patch: |-
      - op: add
        path: /spec/template/spec/containers/0
        value: {name: proxy, image: proxy, args: [--upstream=http://127.0.0.1:9597/]}
`,
    },
    'kustomization.yaml': `resources:
  - sidecar
components:
  - ${relative(t.testdirName, kmsgComponentDir)}
`,
  })
  const containers = daemonSet(build(dir)).spec?.template.spec?.containers ?? []
  const byName = new Map(containers.map((c) => [c.name, c]))
  t.match(byName.get('memlens'), { args: ['serve'], securityContext: { privileged: true } })
  t.ok(byName.get('memlens')?.args?.includes('--kmsg'))
  t.strictSame(byName.get('proxy'), { name: 'proxy', image: 'proxy', args: ['--upstream=http://127.0.0.1:9597/'] })
})

t.test('docs/security.md explains what the component grants', async (t) => {
  const doc = readFileSync(join(repoRoot, 'docs', 'security.md'), 'utf8')
  for (const term of ['/dev/kmsg', 'privileged', 'dmesg_restrict', 'CAP_SYSLOG', 'components/kmsg']) {
    t.match(doc, term)
  }
})
