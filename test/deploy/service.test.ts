// How Prometheus finds the agents: the annotated headless Service, and the ServiceMonitor of
// the prometheus-operator component (no schema for it here, so its fields are checked by
// name against the CRD's).
import t from 'tap'
import { DaemonSet } from 'kubernetes-models/apps/v1'
import { Service } from 'kubernetes-models/v1'
import { isRecord, only, overlayDir, readKustomization, single, type Json } from './manifests.js'

const objects = readKustomization(overlayDir)
const svc = only(objects, 'v1', 'Service')
const ds = only(objects, 'apps/v1', 'DaemonSet')
const monitor = only(objects, 'monitoring.coreos.com/v1', 'ServiceMonitor')
if (!Service.is(svc) || !DaemonSet.is(ds)) throw new Error('objects are not what their kind says')
const container = single(ds.spec?.template.spec?.containers, 'container')
const containerPort = single(container.ports, 'container port')

const record = (v: unknown, what: string): Json => {
  if (!isRecord(v)) throw new Error(`${what} is not a mapping`)
  return v
}

t.test('a headless Service with one named port on the container port', async (t) => {
  t.equal(svc.spec?.clusterIP, 'None', 'every agent is a target of its own')
  const port = single(svc.spec?.ports, 'service port')
  t.match(port, { name: 'metrics', port: 9597, targetPort: containerPort.name, protocol: 'TCP' })
  t.equal(port.port, containerPort.containerPort)
})

t.test('the prometheus.io annotations point at /metrics on that port', async (t) => {
  t.strictSame(svc.metadata?.annotations, {
    'prometheus.io/scrape': 'true',
    'prometheus.io/port': String(containerPort.containerPort),
    'prometheus.io/path': '/metrics',
  })
  const podAnnotations = ds.spec?.template.metadata?.annotations ?? {}
  t.notOk(
    Object.keys(podAnnotations).some((k) => k.startsWith('prometheus.io/')),
    'not on the pods too, which would scrape each agent twice',
  )
})

// From the monitoring.coreos.com/v1 ServiceMonitor CRD; only what a typo could hit here.
const SPEC_FIELDS = ['selector', 'namespaceSelector', 'endpoints', 'jobLabel', 'targetLabels']
const ENDPOINT_FIELDS = [
  'port',
  'path',
  'scheme',
  'interval',
  'scrapeTimeout',
  'honorLabels',
  'honorTimestamps',
  'relabelings',
  'metricRelabelings',
]

t.test('the ServiceMonitor selects the Service and scrapes its metrics port', async (t) => {
  const spec = record(monitor['spec'], 'ServiceMonitor spec')
  t.strictSame(
    Object.keys(spec).filter((k) => !SPEC_FIELDS.includes(k)),
    [],
    'known spec fields',
  )
  const matchLabels = record(record(spec['selector'], 'selector')['matchLabels'], 'matchLabels')
  t.ok(Object.keys(matchLabels).length > 0, 'selects by labels')
  t.match(svc.metadata?.labels, matchLabels, "the Service's labels match")
  t.equal(monitor.metadata.namespace, svc.metadata?.namespace)
  t.equal(spec['namespaceSelector'], undefined, 'its own namespace, which moves with the Service')
  const endpoints: unknown[] = Array.isArray(spec['endpoints']) ? spec['endpoints'] : []
  const endpoint = record(single(endpoints, 'endpoint'), 'endpoint')
  t.strictSame(
    Object.keys(endpoint).filter((k) => !ENDPOINT_FIELDS.includes(k)),
    [],
    'known endpoint fields',
  )
  t.match(endpoint, { port: 'metrics', path: '/metrics' })
  t.equal(endpoint['honorLabels'], true, 'the namespace and pod labels of the measured pods survive')
  t.match(endpoint['relabelings'], [
    { sourceLabels: ['__meta_kubernetes_pod_node_name'], targetLabel: 'node' },
    { action: 'labeldrop', regex: 'container' },
  ])
})
