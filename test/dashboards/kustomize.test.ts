// The component as kubectl builds it, offline: ConfigMaps the Grafana sidecar picks up,
// alone and together with the rest of memlens. Skips without kubectl, except on CI.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { findKubectl, kustomize, requireKubectl } from '../deploy/kubectl.js'
import { isRecord, overlayDir, parseObjects } from '../deploy/manifests.js'
import { componentDir, dashboardsDir } from './dashboard-json.js'

const kubectl = findKubectl()
const required = requireKubectl() || process.env['CI'] === 'true'
const skip = 'skip' in kubectl && !required ? kubectl.skip : false

t.test('kubectl kustomize renders one labelled ConfigMap per dashboard', { skip }, async (t) => {
  if ('skip' in kubectl) throw new Error(`kubectl is required here: ${kubectl.skip}`)
  const objects = parseObjects(kustomize(kubectl, componentDir), 'grafana-dashboards component')
  t.strictSame(
    objects.map((o) => `${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}`),
    ['ConfigMap memlens/memlens-dashboard-overview', 'ConfigMap memlens/memlens-dashboard-pod'],
    'stable names, no hash suffix',
  )
  for (const o of objects) {
    t.match(o.metadata['labels'], { grafana_dashboard: '1', 'app.kubernetes.io/part-of': 'memlens' })
    const data = isRecord(o['data']) ? o['data'] : {}
    t.equal(Object.keys(data).length, 1, `${o.metadata.name} holds one dashboard`)
    for (const [file, content] of Object.entries(data)) {
      t.equal(content, readFileSync(join(dashboardsDir, file), 'utf8'), `${file} as committed`)
    }
  }
})

t.test('next to the agent, a namespace change moves the dashboards too', { skip }, async (t) => {
  if ('skip' in kubectl) throw new Error(`kubectl is required here: ${kubectl.skip}`)
  // kustomize refuses absolute paths, so the overlay points back relatively.
  const dir = t.testdir({
    'kustomization.yaml': `resources:
  - ${relative(t.testdirName, overlayDir)}
components:
  - ${relative(t.testdirName, componentDir)}
namespace: monitoring
`,
  })
  const objects = parseObjects(kustomize(kubectl, dir), 'overlay with dashboards')
  const configMaps = objects.filter((o) => o.kind === 'ConfigMap')
  t.strictSame(
    configMaps.map((o) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`),
    ['monitoring/memlens-dashboard-overview', 'monitoring/memlens-dashboard-pod'],
  )
  t.ok(
    objects.some((o) => o.kind === 'DaemonSet'),
    'the agent is there too',
  )
})
