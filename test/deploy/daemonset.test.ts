// What the agent's pod may do on a node. Each assertion matches a paragraph of
// docs/deploy.md; change both together.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { DaemonSet, type IDaemonSet } from 'kubernetes-models/apps/v1'
import { Service } from 'kubernetes-models/v1'
import { manifestsDir, only, readKustomization, readPackage, repoRoot, single } from './manifests.js'

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

t.test('host paths: exactly cgroupfs and procfs, both read-only', async (t) => {
  const hostPaths = Object.fromEntries(
    (pod.volumes ?? []).flatMap((v) => (v.hostPath ? [[v.name, v.hostPath.path]] : [])),
  )
  t.strictSame(hostPaths, { cgroup: '/sys/fs/cgroup', proc: '/proc' })
  const mounts = Object.fromEntries((container.volumeMounts ?? []).map((m) => [m.name, m]))
  t.match(mounts, {
    cgroup: { mountPath: '/host/sys/fs/cgroup', readOnly: true },
    proc: { mountPath: '/host/proc', readOnly: true },
  })
  t.equal(flag('--cgroup-root'), mounts.cgroup?.mountPath, '--cgroup-root is the cgroup mount')
  t.equal(flag('--proc-root'), mounts.proc?.mountPath, '--proc-root is the proc mount')
  for (const m of container.volumeMounts ?? []) {
    t.equal(m.readOnly, true, `${m.name} is read-only`)
    t.not(m.mountPropagation, 'Bidirectional', `${m.name} propagates nothing to the host`)
  }
})

t.test('no host namespaces, no host ports', async (t) => {
  t.equal(pod.hostPID, false)
  t.equal(pod.hostIPC, false)
  t.equal(pod.hostNetwork, false)
  t.notOk(
    (container.ports ?? []).some((p) => p.hostPort !== undefined),
    'scraped through the pod IP',
  )
})

t.test('the node name comes from the downward API', async (t) => {
  const env = Object.fromEntries((container.env ?? []).map((e) => [e.name, e]))
  t.strictSame(env.NODE_NAME, {
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

t.test('non-root, read-only, no privileges, default seccomp', async (t) => {
  t.match(pod.securityContext, {
    runAsNonRoot: true,
    runAsUser: 65534,
    runAsGroup: 65534,
    seccompProfile: { type: 'RuntimeDefault' },
  })
  t.strictSame(container.securityContext, {
    runAsNonRoot: true,
    runAsUser: 65534,
    runAsGroup: 65534,
    privileged: false,
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ['ALL'] },
  })
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
  t.strictSame(requests, { cpu: '50m', memory: '128Mi' })
  t.strictSame(limits, { memory: '256Mi' })
  const limit = bytes(limits.memory)
  t.ok(bytes(requests.memory) <= limit, 'request within limit')
  const nodeOptions = container.env?.find((e) => e.name === 'NODE_OPTIONS')?.value ?? ''
  const heapMiB = Number(/--max-old-space-size=(\d+)/.exec(nodeOptions)?.[1])
  t.ok(
    heapMiB > 0 && heapMiB * 2 ** 20 <= limit * 0.75,
    `old space ${heapMiB}Mi leaves room under the limit`,
  )
  const doc = readFileSync(join(repoRoot, 'docs', 'deploy.md'), 'utf8')
  const stated = [requests.cpu, requests.memory, limits.memory, `--max-old-space-size=${heapMiB}`]
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
