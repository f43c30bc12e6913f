// What the agent's pod may do on a node. Each assertion matches a paragraph of
// docs/security.md or docs/deploy.md; change them together.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { DaemonSet, type IDaemonSet } from 'kubernetes-models/apps/v1'
import { Service } from 'kubernetes-models/v1'
import { manifestsDir, only, readKustomization, readPackage, repoRoot, single } from './manifests.js'
import { WELL_KNOWN_UIDS } from './uids.js'

/** memlens's own uid and gid; docs/security.md says how to change it. */
const DEDICATED_UID = 64197

const objects = readKustomization(manifestsDir)
const raw = only(objects, 'apps/v1', 'DaemonSet')
if (!DaemonSet.is(raw)) throw new Error('not a DaemonSet')
const ds: IDaemonSet = raw
const pod = ds.spec?.template.spec
if (pod === undefined) throw new Error('DaemonSet has no pod template spec')
const container = single(pod.containers, 'container')
const args = container.args ?? []

/** The value after `flag` in the container's args. */
const flag = (name: string): string | undefined => {
  const i = args.indexOf(name)
  return i === -1 ? undefined : args[i + 1]
}

const BINARY_UNITS: Record<string, number> = { '': 1, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30 }
const bytes = (q: string | number | undefined): number => {
  const m = /^(\d+)(Ki|Mi|Gi|)$/.exec(String(q))
  const unit = BINARY_UNITS[m?.[2] ?? 'none']
  if (m?.[1] === undefined || unit === undefined) throw new Error(`unsupported quantity ${q}`)
  return Number(m[1]) * unit
}

t.test('host paths: exactly cgroupfs, read-only; no host /proc', async (t) => {
  const hostPaths = Object.fromEntries((pod.volumes ?? []).flatMap((v) => (v.hostPath ? [[v.name, v.hostPath.path]] : [])))
  t.strictSame(hostPaths, { cgroup: '/sys/fs/cgroup' })
  const mounts = Object.fromEntries((container.volumeMounts ?? []).map((m) => [m.name, m]))
  t.match(mounts, { cgroup: { mountPath: '/host/sys/fs/cgroup', readOnly: true } })
  t.equal(flag('--cgroup-root'), mounts['cgroup']?.mountPath, '--cgroup-root is the cgroup mount')
  t.equal(flag('--proc-root'), undefined, "the container's own /proc, which hostPID makes the host's")
  for (const m of container.volumeMounts ?? []) {
    t.equal(m.readOnly, true, `${m.name} is read-only`)
    t.not(m.mountPropagation, 'Bidirectional', `${m.name} propagates nothing to the host`)
  }
})

t.test('every volume is mounted, every mount has its volume', async (t) => {
  const volumes = (pod.volumes ?? []).map((v) => v.name).sort()
  const mounted = [...new Set(pod.containers.flatMap((c) => (c.volumeMounts ?? []).map((m) => m.name)))].sort()
  t.strictSame(mounted, volumes)
  t.strictSame(pod.initContainers ?? [], [], 'no init container that could mount one instead')
})

t.test("the host's PID namespace, and no other host namespace or port", async (t) => {
  // cgroup.procs numbers PIDs in the reader's PID namespace (docs/security.md).
  t.equal(pod.hostPID, true)
  t.equal(pod.hostIPC, false)
  t.equal(pod.hostNetwork, false)
  t.not(pod.shareProcessNamespace, true, 'no other container sees its processes')
  t.notOk(
    (container.ports ?? []).some((p) => p.hostPort !== undefined),
    'scraped through the pod IP',
  )
})

t.test('the node name comes from the downward API', async (t) => {
  const env = Object.fromEntries((container.env ?? []).map((e) => [e.name, e]))
  t.strictSame(env['NODE_NAME'], {
    name: 'NODE_NAME',
    valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } },
  })
})

t.test('serve listens on the metrics port that the probes use', async (t) => {
  t.equal(args[0], 'serve')
  const port = single(container.ports, 'container port')
  t.match(port, { name: 'metrics', containerPort: 9597, protocol: 'TCP' })
  t.equal(flag('--listen'), `0.0.0.0:${port.containerPort}`)
  t.match(container.readinessProbe, { httpGet: { path: '/readyz', port: 'metrics' } })
  t.match(container.livenessProbe, { httpGet: { path: '/healthz', port: 'metrics' } })
  t.notOk(container.readinessProbe?.exec ?? container.livenessProbe?.exec, 'no exec probes')
})

t.test('a dedicated non-root uid, read-only, no privileges, default seccomp', async (t) => {
  t.match(pod.securityContext, {
    runAsNonRoot: true,
    runAsUser: DEDICATED_UID,
    runAsGroup: DEDICATED_UID,
    seccompProfile: { type: 'RuntimeDefault' },
  })
  t.strictSame(container.securityContext, {
    runAsNonRoot: true,
    runAsUser: DEDICATED_UID,
    runAsGroup: DEDICATED_UID,
    privileged: false,
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ['ALL'] },
  })
  t.equal(pod.securityContext?.supplementalGroups, undefined, 'no extra groups')
  t.equal(pod.securityContext?.fsGroup, undefined, 'no group ownership of volumes')
})

t.test('the uid and gid are shared with no well-known user', async (t) => {
  for (const id of [pod.securityContext?.runAsUser, pod.securityContext?.runAsGroup]) {
    t.ok(id !== undefined && id >= 10_000, `${id}: above the ranges distributions hand out to users`)
    t.notOk(id !== undefined && WELL_KNOWN_UIDS.has(id), `${id}: not ${id === undefined ? '' : WELL_KNOWN_UIDS.get(id)}`)
  }
  const docs = ['security.md', 'deploy.md'].map((f) => readFileSync(join(repoRoot, 'docs', f), 'utf8'))
  for (const doc of docs) t.match(doc, String(DEDICATED_UID), 'the docs name it')
})

t.test('the API token is mounted for the pod watch', async (t) => {
  t.equal(pod.automountServiceAccountToken, true)
  t.equal(pod.serviceAccountName, 'memlens')
})

t.test('runs on every Linux node, and is the last to go', async (t) => {
  t.strictSame(pod.tolerations, [{ operator: 'Exists' }])
  t.strictSame(pod.nodeSelector, { 'kubernetes.io/os': 'linux' })
  t.equal(pod.priorityClassName, 'system-node-critical')
  t.strictSame(ds.spec?.updateStrategy, {
    type: 'RollingUpdate',
    rollingUpdate: { maxUnavailable: '10%' },
  })
})

t.test('resources: a memory limit, no CPU limit, V8 heap inside the limit', async (t) => {
  const { requests = {}, limits = {} } = container.resources ?? {}
  t.strictSame(requests, { cpu: '50m', memory: '144Mi' })
  t.strictSame(limits, { memory: '256Mi' })
  const limit = bytes(limits['memory'])
  t.ok(bytes(requests['memory']) <= limit, 'request within limit')
  const nodeOptions = container.env?.find((e) => e.name === 'NODE_OPTIONS')?.value ?? ''
  const heapMiB = Number(/--max-old-space-size=(\d+)/.exec(nodeOptions)?.[1])
  t.ok(heapMiB > 0 && heapMiB * 2 ** 20 <= limit * 0.75, `old space ${heapMiB}Mi leaves room under the limit`)
  const doc = readFileSync(join(repoRoot, 'docs', 'deploy.md'), 'utf8')
  const stated = [requests['cpu'], requests['memory'], limits['memory'], `--max-old-space-size=${heapMiB}`]
  for (const value of stated.map(String)) {
    t.ok(doc.includes(value), `docs/deploy.md states ${value}`)
  }
})

t.test('the pod template is selected by the DaemonSet and the Service', async (t) => {
  const labels = ds.spec?.template.metadata?.labels ?? {}
  t.match(labels, ds.spec?.selector.matchLabels ?? { missing: 'selector' })
  const svc = only(objects, 'v1', 'Service')
  t.ok(Service.is(svc) && svc.spec?.selector, 'the Service has a selector')
  if (Service.is(svc)) t.match(labels, svc.spec?.selector ?? { missing: 'selector' })
})

t.test('the image is the released version', async (t) => {
  t.equal(container.image, `ghcr.io/memlens/memlens:${readPackage().version}`)
  t.equal(container.imagePullPolicy, 'IfNotPresent')
})
