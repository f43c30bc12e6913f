// Kubernetes names for a benchmark tree: the test suite's fake API server (the real client
// library talks to it over HTTP) serving this node's pods, and a kubeconfig that points the
// agent at it. Pods of the tree get their real uid and container ids, so their series carry
// names; extra pods (to reach the count asked for) have no cgroup on this node.
import { join } from 'node:path'
import { apiPod, FakeApiServer, writeKubeconfig, type Json, type QosClass } from './agent-api.js'
import { dashedUid, hex, rng } from './tree/rng.js'
import type { TreePod } from './tree/types.js'

export const NODE_NAME = 'bench-node'

const QOS: Readonly<Record<QosClass, string>> = { guaranteed: 'Guaranteed', burstable: 'Burstable', besteffort: 'BestEffort' }

/** The API object for a tree pod: names `bench-<i>`, containers `c0`, `c1`, ... */
export function apiPodFor(p: TreePod, i: number): Json {
  return apiPod({
    uid: p.podUid,
    name: `bench-${i}`,
    namespace: 'bench',
    node: NODE_NAME,
    qos: QOS[p.qos],
    containers: p.containerIds.map((id, c) => ({ name: `c${c}`, id, ...(p.qos === 'besteffort' ? {} : { memory: '64Mi' }) })),
  })
}

/** A pod of this node without a cgroup in the tree (scheduled, not started here). */
function extraPod(i: number, seed: number): Json {
  const rand = rng(seed * 104729 + i)
  return apiPod({
    uid: dashedUid(rand),
    name: `extra-${i}`,
    namespace: 'bench',
    node: NODE_NAME,
    containers: [{ name: 'c0', id: hex(rand, 64) }],
  })
}

export interface KubeFixture {
  readonly api: FakeApiServer
  /** The agent's flags: --node-name and --kubeconfig. */
  readonly args: readonly string[]
  /** Pods of the tree that have names. */
  readonly named: number
  close(): Promise<void>
}

/** Serves `total` pods for NODE_NAME: the first tree pods, then extra ones. */
export async function startKube(dir: string, treePods: readonly TreePod[], total: number): Promise<KubeFixture> {
  const api = await FakeApiServer.start()
  const named = Math.min(total, treePods.length)
  treePods.slice(0, named).forEach((p, i) => api.add(apiPodFor(p, i)))
  for (let i = named; i < total; i++) api.add(extraPod(i, 1))
  const kubeconfig = join(dir, 'kubeconfig.json')
  writeKubeconfig(kubeconfig, api.url)
  return { api, args: ['--node-name', NODE_NAME, '--kubeconfig', kubeconfig], named, close: () => api.close() }
}
