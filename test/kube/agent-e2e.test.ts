// The whole agent against a fake API server that speaks the real list/watch protocol, on a
// fixture tree whose pod UIDs and container IDs match the API's pods: /metrics carries the
// names; a deleted pod whose cgroup is gone leaves no series; the API down for a while
// loses no cgroup data.
import { rmSync, writeFileSync } from 'node:fs'
import { PassThrough } from 'node:stream'
import { writeKubeconfig } from './kubeconfig.js'
import t from 'tap'
import { runCli } from '../../agent/cli/run.js'
import { buildTree, type TreePod } from '../fixtures/trees.js'
import { FakeApiServer, pod } from './fake-api-server.js'
import { captureLog, until } from './helpers.js'

const QOS = { guaranteed: 'Guaranteed', burstable: 'Burstable', besteffort: 'BestEffort' } as const

const apiPod = (p: TreePod) =>
  pod({
    uid: p.uid,
    name: p.name,
    namespace: p.namespace,
    node: 'node-a',
    qos: QOS[p.qos],
    containers: p.containers
      .filter((c) => !c.sandbox)
      .map((c) => ({ name: c.name, id: c.id, image: `registry.example/${c.name}:1`, memory: '64Mi' })),
  })

t.test('names from the API join the cgroup metrics, and survive API trouble', async (t) => {
  const dir = t.testdir({})
  const tree = buildTree(dir, { version: 'v2', layout: 'systemd-containerd' })
  const api = await FakeApiServer.start()
  t.teardown(() => api.close())
  // Another node's pod must never show up.
  api.add(
    pod({
      uid: '99999999-9999-9999-9999-999999999999',
      name: 'elsewhere',
      node: 'node-b',
      containers: [{ name: 'x', id: 'f'.repeat(64) }],
    }),
  )
  for (const p of tree.pods) api.add(apiPod(p))
  const kubeconfig = `${dir}/kubeconfig`
  writeKubeconfig(kubeconfig, api.url)

  const stdout = Object.assign(new PassThrough(), { columns: 120 })
  let banner = ''
  stdout.on('data', (d: Buffer) => (banner += d.toString()))
  const abort = new AbortController()
  const log = captureLog()
  const argv = [
    'serve',
    '--cgroup-root',
    tree.cgroupRoot,
    '--node-name',
    'node-a',
    '--kubeconfig',
    kubeconfig,
    '--listen',
    '127.0.0.1:0',
    '--interval',
    '100ms',
  ]
  const done = runCli(argv, {
    env: {},
    stdout,
    stderr: new PassThrough(),
    stdin: new PassThrough(),
    signal: abort.signal,
    logger: log.logger,
  })
  t.teardown(async () => {
    abort.abort()
    await done
  })
  await until('the serve banner', () => /metrics: +http/.test(banner))
  const url = /metrics: +(http:\/\/\S+)/.exec(banner)?.[1] ?? ''
  const scrape = async (): Promise<string> => (await fetch(url)).text()
  let metrics = ''
  const waitFor = async (what: string, check: (m: string) => boolean): Promise<void> =>
    until(what, async () => check((metrics = await scrape())), 10_000)

  const [web, db, batch] = tree.pods
  if (web === undefined || db === undefined || batch === undefined) throw new Error('fixture tree has three pods')
  const app = web.containers.find((c) => !c.sandbox)
  const sandbox = web.containers.find((c) => c.sandbox)
  if (app === undefined || sandbox === undefined) throw new Error('fixture pod has an app and a sandbox')

  await waitFor('names on the container series', (m) => m.includes(`container="${app.name}"`))
  t.match(
    metrics,
    `memlens_container_memory_working_set_bytes{id="${app.path}",namespace="${web.namespace}",pod="${web.name}",container="${app.name}"} `,
  )
  t.match(
    metrics,
    `memlens_container_memory_usage_bytes{id="${sandbox.path}",namespace="${web.namespace}",pod="${web.name}",container="POD"} `,
    'the sandbox is POD, as in cAdvisor',
  )
  t.match(metrics, `memlens_pod_memory_usage_bytes{id="${web.path}",namespace="${web.namespace}",pod="${web.name}"} `)
  t.match(metrics, `memlens_pod_info{namespace="${web.namespace}",pod="${web.name}",pod_uid="${web.uid}",node="node-a",qos="${web.qos}"} 1`)
  t.match(
    metrics,
    `memlens_container_info{namespace="${web.namespace}",pod="${web.name}",container="${app.name}",container_id="${app.id}",image="registry.example/${app.name}:1",id="${app.path}"} 1`,
  )
  t.match(
    metrics,
    `memlens_container_memory_request_bytes{id="${app.path}",namespace="${web.namespace}",pod="${web.name}",container="${app.name}"} 67108864`,
  )
  t.notMatch(metrics, 'elsewhere', "another node's pod is not watched")
  t.match(metrics, 'memlens_kubernetes_watch_up 1')
  t.ok(
    api.requests.every((r) => r.query.get('fieldSelector') === 'spec.nodeName=node-a'),
    'every request selects this node',
  )

  // The pod is deleted and its cgroups go away: every series of it disappears.
  api.remove(apiPod(batch))
  rmSync(`${tree.hierarchyRoot}${batch.path}`, { recursive: true })
  await waitFor('the deleted pod to leave /metrics', (m) => !m.includes(batch.uid.replace(/-/g, '_')) && !m.includes(`pod="${batch.name}"`))
  t.notMatch(metrics, `pod="${batch.name}"`)
  t.notMatch(metrics, batch.path)

  // The API server goes away: cgroup metrics keep flowing, names stay as last known.
  await api.close()
  await waitFor('the watch to report down', (m) => m.includes('memlens_kubernetes_watch_up 0'))
  writeFileSync(`${tree.hierarchyRoot}${app.path}/memory.current`, '123456789\n')
  await waitFor('a new cgroup value while the API is down', (m) => m.includes(`container="${app.name}"} 123456789`))
  t.match(
    metrics,
    `memlens_container_memory_usage_bytes{id="${app.path}",namespace="${web.namespace}",pod="${web.name}",container="${app.name}"} 123456789`,
  )
  t.match(metrics, `memlens_pod_memory_usage_bytes{id="${db.path}",`, 'every other cgroup is still reported')
  t.match(metrics, /memlens_kubernetes_errors_total\{reason="(watch|list)"\} [1-9]/, 'the failures are counted')
})
