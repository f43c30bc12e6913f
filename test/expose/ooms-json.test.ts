import t from 'tap'
import { OOM_NUMBER_FIELDS, oomJson, oomsJson } from '../../agent/expose/ooms-json.js'
import type { OomRecord } from '../../agent/model.js'

const bare: OomRecord = {
  atMs: Date.parse('2026-11-27T12:00:03.120Z'),
  id: '/kubepods/pod-x',
  namespace: '',
  pod: '',
  container: '',
  cause: 'unknown',
  scope: 'pod',
  kills: 1,
  message: 'm',
  evidence: ['no samples'],
  advice: ['a'],
  numbers: { source: 'none', samples: 0, usageBytes: undefined },
  fromKernelReport: false,
}

t.test('absent is null, time is ISO 8601', async (t) => {
  const j = oomJson(bare)
  t.equal(j.time, '2026-11-27T12:00:03.120Z')
  t.equal(j.podUid, null)
  t.equal(j.containerId, null)
  t.same([j.namespace, j.pod, j.container], [null, null, null], 'names too, as in the snapshot JSON')
  t.same([oomJson({ ...bare, namespace: 'ns', pod: 'p' }).pod, oomJson({ ...bare, namespace: 'ns', pod: 'p' }).container], ['p', null])
  for (const key of OOM_NUMBER_FIELDS) t.equal(j.numbers[key], null, `${key} is null when absent`)
  t.equal(j.numbers.largestProcesses, null, 'no process view: null, not an empty list')
  t.equal(j.numbers.victim, null)
  t.equal(j.numbers['source'], 'none', 'figures beyond the contract pass through')
  t.equal(j.numbers['samples'], 0)
  t.same(Object.keys(j), [
    'time',
    'id',
    'podUid',
    'containerId',
    'namespace',
    'pod',
    'container',
    'cause',
    'scope',
    'kills',
    'message',
    'evidence',
    'advice',
    'numbers',
    'fromKernelReport',
  ])
  t.same(JSON.parse(JSON.stringify(j)), j, 'nothing is lost to JSON: no undefined anywhere')
})

t.test('figures, processes and the victim', async (t) => {
  const j = oomJson({
    ...bare,
    podUid: 'u',
    containerId: 'c',
    numbers: {
      limitBytes: 100,
      usageBytes: Number.NaN,
      dirtyBytes: 'many',
      peakUsageBytes: Number.POSITIVE_INFINITY,
      largestProcesses: [{ pid: 7, comm: 'dd', rssBytes: 5 }, { pid: 8, comm: 'sh' }, { comm: 'no pid' }],
      victim: { pid: 7, comm: 'dd' },
    },
  })
  t.equal(j.podUid, 'u')
  t.equal(j.numbers.limitBytes, 100)
  t.equal(j.numbers.usageBytes, null, 'not a finite number: null')
  t.equal(j.numbers.dirtyBytes, null, 'not a number: null')
  t.equal(j.numbers['peakUsageBytes'], null)
  t.same(
    j.numbers.largestProcesses,
    [
      { pid: 7, comm: 'dd', rssBytes: 5 },
      { pid: 8, comm: 'sh', rssBytes: null },
    ],
    'malformed entries left out',
  )
  t.same(j.numbers.victim, { pid: 7, comm: 'dd', rssBytes: null })
})

t.test('oomsJson: the most recent first', async (t) => {
  const at = (atMs: number, id: string): OomRecord => ({ ...bare, atMs, id })
  t.same(
    oomsJson([at(1000, 'a'), at(3000, 'b'), at(2000, 'c'), at(3000, 'd')]).ooms.map((o) => o.id),
    ['b', 'd', 'c', 'a'],
  )
  t.same(oomsJson([]), { ooms: [] })
})
