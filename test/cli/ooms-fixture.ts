// OOM explanations as an agent serves them (GET /api/v1/ooms), built from OomRecords through
// the real converter, with messages and advice from the real explain().
import type { OomJson } from '../../agent/expose/ooms-json.js'
import { oomsJson } from '../../agent/expose/ooms-json.js'
import type { OomRecord } from '../../agent/model.js'
import type { OomNumbers } from '../../agent/oom/classify.js'
import { explain } from '../../agent/oom/explain.js'

const Mi = 1024 * 1024
const KILLED_AT = Date.parse('2026-11-27T12:00:03.120Z')

function record(base: Omit<OomRecord, 'message' | 'advice' | 'numbers'>, numbers: OomNumbers): OomRecord {
  const { message, advice } = explain(base.cause, base.scope, numbers)
  return { ...base, message, advice, numbers: { ...numbers } }
}

export const importer = record(
  {
    atMs: KILLED_AT,
    id: '/kubepods/burstable/pod1b2c3d4e-0000-4000-8000-00000000abcd/4f5e6a7b8c9d',
    podUid: '1b2c3d4e-0000-4000-8000-00000000abcd',
    containerId: '4f5e6a7b8c9d'.padEnd(64, '0'),
    namespace: 'cdi',
    pod: 'importer-disk-7x',
    container: 'importer',
    cause: 'dirty_page_cache',
    scope: 'container',
    kills: 2,
    evidence: [
      "the kernel's OOM cgroup had the container's limit (600 MiB)",
      'dirty held 65% of usage at the kill (dirty 65%, writeback 31%, clean cache 2%, anon 1%)',
      'dirty + writeback peaked at 579 MiB, 97% of the limit',
      'the limit was hit 2865 times a second with anon at 1%: a writer the disk could not keep up with',
    ],
    fromKernelReport: true,
  },
  {
    source: 'kernel',
    limitBytes: 600 * Mi,
    usageBytes: 600 * Mi,
    anonBytes: Math.round(3.2 * Mi),
    cleanCacheBytes: 14 * Mi,
    dirtyBytes: 391 * Mi,
    writebackBytes: 188 * Mi,
    shmemBytes: 0,
    kernelBytes: Math.round(3.5 * Mi),
    peakDirtyWritebackBytes: 579 * Mi,
    peakLimitHitsPerSecond: 2865,
    samples: 14,
    processCount: 2,
    processesRssBytes: 52 * Mi,
    largestProcesses: [
      { pid: 4242, comm: 'qemu-img', rssBytes: 49 * Mi },
      { pid: 4201, comm: 'sh', rssBytes: Math.round(1.2 * Mi) },
    ],
    victim: { pid: 4242, comm: 'qemu-img', rssBytes: 49 * Mi },
  },
)

export const cruncher = record(
  {
    atMs: KILLED_AT - 3_600_000,
    id: '/kubepods/burstable/pod9f8e7d6c-0000-4000-8000-00000000beef/0a1b2c3d4e5f',
    namespace: 'jobs',
    pod: 'cruncher-0',
    container: 'main',
    cause: 'anon',
    scope: 'container',
    kills: 1,
    evidence: ['container usage peaked at 256 MiB of its 256 MiB limit', 'anon held 97% of usage at the kill (anon 97%, clean cache 2%)'],
    fromKernelReport: false,
  },
  {
    source: 'samples',
    limitBytes: 256 * Mi,
    usageBytes: 256 * Mi,
    anonBytes: 248 * Mi,
    cleanCacheBytes: 5 * Mi,
    dirtyBytes: 0,
    writebackBytes: 0,
    samples: 9,
    processCount: 1,
    processesRssBytes: 250 * Mi,
    largestProcesses: [{ pid: 77, comm: 'python3', rssBytes: 250 * Mi }],
  },
)

/** The response body, most recent first (oomsJson sorts). */
export const OOMS: readonly OomJson[] = oomsJson([cruncher, importer]).ooms
