import t from 'tap'
import { snapshotJson } from '../../agent/expose/snapshot-json.js'
import { noMetadata, type CgroupSample, type MetadataSource, type ProcessSummary } from '../../agent/model.js'

const processes: ProcessSummary = {
  count: 2,
  rssBytes: 3000,
  rssAnonBytes: 2000,
  rssFileBytes: 1000,
  rssShmemBytes: 0,
  largest: [{ pid: 9, comm: 'dd', rssBytes: 2500 }],
}

const sample = (extra: Partial<CgroupSample>): CgroupSample => ({
  ref: { id: '/kubepods/podu/c', kind: 'container', podUid: 'u', containerId: 'c' },
  reading: { memory: {}, events: {}, pressure: {} },
  ...extra,
})

t.test('processes and oom per container and pod; absent is null', async (t) => {
  const json = snapshotJson(
    {
      cgroupVersion: 'v2',
      scope: 'kubernetes',
      collectedAtMs: 0,
      containers: [
        sample({ processes, oom: { kills: 2, lastCause: 'dirty_page_cache', lastAtMs: Date.parse('2026-11-27T12:00:03Z') } }),
        sample({}),
      ],
      pods: [sample({ ref: { id: '/kubepods/podu', kind: 'pod', podUid: 'u' }, processes })],
    },
    noMetadata,
  )
  t.same(json.containers[0]?.processes, processes)
  t.same(json.containers[0]?.oom, { kills: 2, lastCause: 'dirty_page_cache', lastTime: '2026-11-27T12:00:03.000Z' })
  t.equal(json.containers[1]?.processes, null)
  t.equal(json.containers[1]?.oom, null)
  t.same(json.pods[0]?.processes, processes)
  t.equal(json.pods[0]?.oom, null)
})

t.test('names are null until Kubernetes gives them, like every other absent value', async (t) => {
  const snap = (metadata: MetadataSource) =>
    snapshotJson(
      {
        cgroupVersion: 'v2',
        scope: 'kubernetes',
        collectedAtMs: 0,
        containers: [sample({})],
        pods: [sample({ ref: { id: '/kubepods/podu', kind: 'pod', podUid: 'u' } })],
      },
      metadata,
    )
  const unnamed = snap(noMetadata)
  t.same([unnamed.containers[0]?.namespace, unnamed.containers[0]?.pod, unnamed.containers[0]?.container], [null, null, null])
  t.same([unnamed.pods[0]?.namespace, unnamed.pods[0]?.pod], [null, null])
  const podOnly = snap({ ...noMetadata, names: () => ({ namespace: 'shop', pod: 'web-0', container: '' }) })
  t.same(
    [podOnly.containers[0]?.namespace, podOnly.containers[0]?.pod, podOnly.containers[0]?.container],
    ['shop', 'web-0', null],
    'a container the API has not named yet',
  )
  t.same([podOnly.pods[0]?.namespace, podOnly.pods[0]?.pod], ['shop', 'web-0'])
})
