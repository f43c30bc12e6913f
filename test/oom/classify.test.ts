import t from 'tap'
import { THRESHOLDS, classifyOom, type ClassifyInput, type OomExplanation } from '../../agent/oom/classify.js'
import { MESSAGE_MAX_BYTES } from '../../agent/oom/explain.js'
import { OomReportAssembler, type KernelOomReport } from '../../agent/oom/oom-report.js'
import type { OomSample } from '../../agent/oom/window.js'
import { transcript } from '../fixtures/kmsg.js'
import { MiB, sample, type SampleMiB } from '../fixtures/oom-samples.js'

/** Samples every 250 ms, oom_kill moving on the last one. */
function run(parts: readonly SampleMiB[], hitsPerSample = 0, killed = true): OomSample[] {
  return parts.map((m, i) => sample(i * 250, m, { limitHits: i * hitsPerSample, oomKills: killed && i === parts.length - 1 ? 1 : 0 }))
}

function classify(input: ClassifyInput): OomExplanation {
  const out = classifyOom(input)
  // Every explanation, whatever its cause, must fit a Kubernetes Event.
  if (Buffer.byteLength(out.message, 'utf8') > MESSAGE_MAX_BYTES) throw new Error(`message too long: ${out.message}`)
  return out
}

function reportFrom(name: string): KernelOomReport {
  const a = new OomReportAssembler()
  const [report] = transcript(name).flatMap((r) => a.push(r))
  if (report === undefined) throw new Error(`no report in ${name}`)
  return report
}

function kernelReport(stat: Record<string, number>, extra: Partial<KernelOomReport> = {}): KernelOomReport {
  return {
    seq: 1,
    timestampUs: 1,
    firstSeq: 1,
    complete: true,
    kind: 'memcg',
    usageBytes: 256 * MiB,
    limitBytes: 256 * MiB,
    stat,
    ...extra,
  }
}

const L = 256
const writer = (dirty: number, writeback = 0): SampleMiB => ({ usage: 255, limit: L, anon: 1, cache: 254, dirty, writeback, shmem: 0 })

t.test('dirty_page_cache', async (t) => {
  t.test('swinging dirty: the peaks in the window, though the last sample reads 0', async (t) => {
    const container = run(
      [writer(0), writer(120, 10), writer(0), writer(60, 70), writer(5), writer(0, 0), { ...writer(0), usage: 200, cache: 199 }],
      200,
    )
    const out = classify({ container, processes: { count: 2, rssBytes: 3 * MiB, largest: [{ pid: 4242, comm: 'dd', rssBytes: 2 * MiB }] } })
    t.equal(out.cause, 'dirty_page_cache')
    t.equal(out.scope, 'container')
    t.equal(out.numbers.source, 'samples')
    t.equal(out.numbers.dirtyBytes, 0, 'at the kill: nothing dirty')
    t.equal(out.numbers.peakDirtyWritebackBytes, 130 * MiB)
    t.equal(out.numbers.limitBytes, L * MiB)
    t.equal(out.numbers.cleanCacheBytes, 254 * MiB)
    t.match(out.evidence.join('\n'), /dirty \+ writeback peaked at 130 MiB, 51% of the limit/)
    t.match(out.message, /^OOM-killed at the container memory limit: dirty_page_cache/)
    t.match(out.message, /Limit 256 MiB, usage 255 MiB, anon 1\.0 MiB, clean cache 254 MiB, dirty\+writeback 0\.0 MiB \(peak 130 MiB\)/)
    t.match(out.message, /processes' RSS 3\.0 MiB in 2 \(largest dd, pid 4242, 2\.0 MiB\)/)
    t.match(out.message, /O_DIRECT .*qemu-img convert -t none/)
    t.match(out.message, /memory\.high below the limit/)
    t.match(out.message, /vm\.dirty_bytes/)
    t.match(out.message, /fsync/)
    t.same(out.advice.length, 4)
  })

  t.test('never a dirty page seen, but the limit hit hundreds of times a second with tiny anon', async (t) => {
    const container = run([writer(0), writer(0), writer(0), writer(0), writer(0), writer(0)], 50) // 200/s
    const out = classify({ container })
    t.equal(out.cause, 'dirty_page_cache')
    t.equal(out.numbers.peakLimitHitsPerSecond, 200)
    t.match(out.evidence.join('\n'), /hit 200 times a second with anon at 0%/)
    t.match(out.message, /limit hits up to 200\/s/)
  })

  t.test('the rule thresholds, both sides', async (t) => {
    const atShare = (share: number) => run([writer(0), writer(L * share), writer(0), writer(0), writer(0)], 1)
    t.equal(classify({ container: atShare(THRESHOLDS.dirtyPeakShare) }).cause, 'dirty_page_cache', 'dirty peak exactly 10% of the limit')
    t.equal(classify({ container: atShare(THRESHOLDS.dirtyPeakShare - 1 / MiB / L) }).cause, 'page_cache', 'one byte below')

    // 5 samples 250 ms apart: hits per sample × 4 = rate.
    const atRate = (perSample: number, anon = 5) =>
      run(
        Array.from({ length: 5 }, () => ({ usage: 100, limit: L, anon, cache: 100 - anon, dirty: 0, writeback: 0 })),
        perSample,
      )
    t.equal(classify({ container: atRate(25) }).cause, 'dirty_page_cache', 'exactly 100/s')
    t.equal(classify({ container: atRate(24.75) }).cause, 'page_cache', '99/s')
    t.equal(classify({ container: atRate(250, 10) }).cause, 'page_cache', 'anon exactly 10% is not tiny')
    t.equal(classify({ container: atRate(250, 9.9) }).cause, 'dirty_page_cache', 'anon just under 10%')
  })

  t.test('no limit: the dirty peak is measured against usage', async (t) => {
    const container = run([
      { usage: 100, anon: 1, cache: 99, dirty: 10 },
      { usage: 100, anon: 1, cache: 99, dirty: 0 },
    ])
    const out = classify({ container })
    t.equal(out.cause, 'dirty_page_cache')
    t.match(out.evidence.join('\n'), /10% of usage/)
    t.equal(out.scope, 'node', 'and an unlimited container is never the scope')
  })
})

t.test('page_cache: file dominant, clean, few limit hits', async (t) => {
  const container = run(
    Array.from({ length: 8 }, () => ({ usage: 250, limit: L, anon: 20, cache: 228, dirty: 1, writeback: 0, shmem: 0 })),
    5,
  )
  const out = classify({ container })
  t.equal(out.cause, 'page_cache')
  t.match(out.evidence.join('\n'), /the cache was clean: dirty \+ writeback peaked at 1\.0 MiB/)
  t.match(out.message, /memory\.high below the limit/)
  t.match(out.message, /raise the limit/)

  const unmeasured = classify({ container: run([{ usage: 250, limit: L, anon: 20, cache: 228 }]) })
  t.equal(unmeasured.cause, 'page_cache')
  t.match(unmeasured.evidence.join('\n'), /dirty and writeback were not measured/)
  t.notMatch(unmeasured.message, /dirty\+writeback/, 'no figure is made up')
})

t.test('anon', async (t) => {
  const container = run(
    [
      { usage: 100, limit: L, anon: 90, cache: 10, dirty: 0, writeback: 0, shmem: 0, kernel: 2 },
      { usage: 200, limit: L, anon: 190, cache: 10, dirty: 0, writeback: 0, shmem: 0, kernel: 2 },
      { usage: 255, limit: L, anon: 245, cache: 8, dirty: 0, writeback: 0, shmem: 0, kernel: 2 },
      { usage: 10, limit: L, anon: 0, cache: 8, dirty: 0, writeback: 0, shmem: 0, kernel: 2 },
    ],
    3,
  )
  const out = classify({
    container,
    processes: { count: 1, rssBytes: 250 * MiB, largest: [{ pid: 7, comm: 'java', rssBytes: 250 * MiB }] },
  })
  t.equal(out.cause, 'anon')
  t.equal(out.scope, 'container')
  t.equal(out.numbers.anonBytes, 245 * MiB, 'from the sample before the kill, not the one after it')
  t.match(out.message, /anon 245 MiB/)
  t.match(out.message, /largest java, pid 7, 250 MiB/)
  t.match(out.message, /leak/)
})

t.test('shmem: counted out of the file pages', async (t) => {
  const out = classify({ container: run([{ usage: 250, limit: L, anon: 30, cache: 215, shmem: 200, dirty: 0, writeback: 0 }]) })
  t.equal(out.cause, 'shmem')
  t.equal(out.numbers.cleanCacheBytes, 15 * MiB)
  t.match(out.message, /shmem 200 MiB/)
  t.match(out.message, /emptyDir sizeLimit/)
})

t.test('kernel', async (t) => {
  const out = classify({ container: run([{ usage: 250, limit: L, anon: 30, cache: 20, kernel: 200 }]) })
  t.equal(out.cause, 'kernel')
  t.equal(out.numbers.kernelEstimated, false)
  t.match(out.message, /kernel 200 MiB/)
  t.match(out.message, /sockets/)

  t.test('v1 has no kernel figure: usage − anon − cache stands in, marked', async (t) => {
    const v1 = classify({ container: run([{ usage: 250, limit: L, anon: 30, cache: 20 }]) })
    t.equal(v1.cause, 'kernel')
    t.equal(v1.numbers.kernelBytes, 200 * MiB)
    t.equal(v1.numbers.kernelEstimated, true)
    t.match(v1.evidence.join('\n'), /kernel estimated as usage − anon − cache/)
    t.match(v1.message, /kernel ~200 MiB/)
    const anon = classify({ container: run([{ usage: 250, limit: L, anon: 240, cache: 20 }]) })
    t.equal(anon.cause, 'anon', 'a negative estimate is floored, not a cause')
    t.equal(anon.numbers.kernelBytes, 0)
  })
})

t.test('the dominant share, both sides', async (t) => {
  const at = (anon: number) =>
    classify({ container: run([{ usage: 100, limit: 100, anon, cache: 35, shmem: 0, kernel: 100 - anon - 35 }]) })
  t.equal(at(40).cause, 'anon', 'exactly 40%')
  const below = at(39.99)
  t.equal(below.cause, 'unknown', 'just below, with nothing else above it')
  t.match(below.evidence.join('\n'), /no kind of memory held 40% of usage \(shmem 0%, anon 40%, kernel 25%, file 35%\)/)
  t.match(below.message, /not enough to name a cause/)
})

t.test('unknown and missing values', async (t) => {
  const empty = classify({ container: [] })
  t.equal(empty.cause, 'unknown')
  t.equal(empty.scope, 'container')
  t.equal(empty.numbers.source, 'none')
  t.equal(empty.numbers.samples, 0)
  t.match(empty.evidence.join('\n'), /no samples/)
  t.ok(empty.message.length > 0)

  const usageOnly = classify({
    container: run([
      { usage: 250, limit: L },
      { usage: 255, limit: L },
    ]),
  })
  t.equal(usageOnly.cause, 'unknown', 'usage without a breakdown')
  t.equal(usageOnly.scope, 'container')
  t.match(usageOnly.message, /Limit 256 MiB, usage 250 MiB/, 'the sample before the kill')
  t.equal(usageOnly.numbers.peakUsageBytes, 255 * MiB)

  const sparse = classify({ container: run([{ anon: 5, cache: 200 }]) })
  t.equal(sparse.cause, 'page_cache', 'no usage: the parts are the base')
  t.equal(sparse.scope, 'node', 'no limit anywhere')
})

t.test('scope from the samples', async (t) => {
  const anonAt = (usage: number, limit?: number): SampleMiB => ({ usage, limit, anon: usage - 5, cache: 5 })

  t.test('container: usage peaked within 90% of its own limit, both sides', async (t) => {
    t.equal(classify({ container: run([anonAt(0.9 * 200, 200)], 0) }).scope, 'container', 'exactly 90%')
    const below = classify({ container: run([anonAt(0.9 * 200 - 1, 200)], 0), pod: run([anonAt(200, 1000)]) })
    t.equal(below.scope, 'node', 'below, with no limit hit, and the pod far from its limit')
    t.match(below.evidence.join('\n'), /neither the container nor the pod came within 90%/)
    t.equal(classify({ container: run([anonAt(150, 200), anonAt(150, 200)], 7) }).scope, 'container', 'below 90% but its limit was hit')
  })

  t.test('pod: the pod at its limit while the container was below its own', async (t) => {
    const container = run([anonAt(100, 512), anonAt(120, 512)])
    // A sibling's clean cache fills the pod; this container is mostly anon.
    const pod = run([
      { usage: 250, limit: L, anon: 120, cache: 130, dirty: 0, writeback: 0 },
      { usage: 255, limit: L, anon: 125, cache: 130, dirty: 0, writeback: 0 },
      { usage: 100, limit: L, anon: 5, cache: 95, dirty: 0, writeback: 0 },
    ])
    const out = classify({ container, pod })
    t.equal(out.scope, 'pod')
    t.equal(out.numbers.limitBytes, L * MiB, "the pod's figures")
    t.equal(out.numbers.podLimitBytes, L * MiB)
    t.equal(out.cause, 'page_cache', "the cause is read from the pod's memory, not the container's anon")
    t.match(out.message, /pod's memory limit/)
    t.match(out.advice[0] ?? '', /another container/)
    t.equal(
      classify({ container: run([anonAt(10, 512), anonAt(10, 512)]), pod: run([anonAt(100, L), anonAt(100, L)], 9) }).scope,
      'pod',
      'or the pod hit its limit',
    )
  })

  t.test('node: both far from their limits, or no limits at all', async (t) => {
    const far = classify({ container: run([anonAt(300, 1024)]), pod: run([anonAt(400, 2048)]) })
    t.equal(far.scope, 'node')
    t.match(far.message, /node-wide OOM/)
    t.match(far.advice[0] ?? '', /node ran out of memory/)
    const unlimited = classify({ container: run([anonAt(3000), anonAt(3000)], 50), pod: run([anonAt(3000)]) })
    t.equal(unlimited.scope, 'node', 'an unlimited container is never the scope, limit hits or not')
    t.match(unlimited.evidence.join('\n'), /neither the container nor the pod has a memory limit/)
  })
})

t.test("the kernel's report", async (t) => {
  t.test('its stat overrides the samples: the exact state at the kill', async (t) => {
    const clean = run(
      Array.from({ length: 6 }, () => writer(0)),
      1,
    )
    t.equal(classify({ container: clean }).cause, 'page_cache', 'the samples alone')
    const report = kernelReport({
      anon: 1 * MiB,
      file: 254 * MiB,
      shmem: 0,
      file_dirty: 100 * MiB,
      file_writeback: 40 * MiB,
      kernel: 1 * MiB,
    })
    const out = classify({ container: clean, kernel: report })
    t.equal(out.cause, 'dirty_page_cache')
    t.equal(out.numbers.source, 'kernel')
    t.equal(out.numbers.dirtyBytes, 100 * MiB)
    t.equal(out.numbers.peakDirtyWritebackBytes, 140 * MiB)
    t.match(out.evidence.join('\n'), /from the kernel's report/)

    const anon = classify({ container: clean, kernel: kernelReport({ anon: 250 * MiB, file: 5 * MiB, shmem: 0 }) })
    t.equal(anon.cause, 'anon', 'composition from the kernel, though the samples said file')
  })

  t.test('its victim is named', async (t) => {
    const out = classify({
      container: run([writer(0)]),
      kernel: kernelReport(
        { anon: 250 * MiB, file: 5 * MiB },
        { victim: { pid: 31, comm: 'leaky', anonRssBytes: 250 * MiB, fileRssBytes: 1 * MiB, shmemRssBytes: 0 } },
      ),
    })
    t.same(out.numbers.victim, { pid: 31, comm: 'leaky', rssBytes: 251 * MiB })
    t.match(out.message, /the kernel killed leaky \(pid 31\)/)
  })

  t.test('scope from its OOM cgroup', async (t) => {
    const container = run([{ usage: 250, limit: L, anon: 240, cache: 10 }])
    const ids = { containerCgroup: '/kubepods/burstable/pod1/c1', podCgroup: '/kubepods/burstable/pod1' }
    const at = (oomMemcg: string) => classify({ container, ...ids, kernel: kernelReport({ anon: MiB }, { oomMemcg }) }).scope
    t.equal(at('/kubepods/burstable/pod1/c1'), 'container')
    t.equal(at('/kubepods/burstable/pod1/c1/container'), 'container', "crun's child")
    t.equal(at('/kubepods/burstable/pod1'), 'pod', 'though the container sat near its own limit')
    t.equal(at('/kubepods/burstable'), 'node', 'above the pod')
    t.equal(at('/kubepods/burstable/pod12'), 'container', 'a sibling with a shared prefix is not an ancestor: falls back to the samples')
    t.equal(
      classify({
        container,
        kernel: kernelReport({}, { kind: 'global', constraint: 'CONSTRAINT_NONE', usageBytes: undefined, limitBytes: undefined }),
      }).scope,
      'node',
      'a global OOM',
    )
    t.equal(
      classify({ container: run([{ usage: 10, limit: 512 }]), pod: run([{ usage: 10, limit: L }]), kernel: kernelReport({}) }).scope,
      'pod',
      "no paths: its limit is the pod's",
    )
    t.equal(
      classify({ container: run([{ usage: 10, limit: L }]), kernel: kernelReport({}) }).scope,
      'container',
      "no paths: its limit is the container's",
    )
    const unplaced = classify({
      container: run([{ usage: 10, limit: 512 }]),
      pod: run([{ usage: 10, limit: 1024 }]),
      kernel: kernelReport({}),
    })
    t.equal(unplaced.scope, 'container', 'a memory cgroup OOM is never node-wide: the nearest limited cgroup')
    t.match(unplaced.evidence.join('\n'), /taken to be at the container's limit/)
    t.equal(
      classify({ container: run([{ usage: 10 }]), pod: run([{ usage: 10, limit: 1024 }]), kernel: kernelReport({}) }).scope,
      'pod',
      'an unlimited container: its pod',
    )
    t.equal(
      classify({ container: run([{ usage: 10 }]), pod: run([{ usage: 10 }]), kernel: kernelReport({}) }).scope,
      'node',
      'neither limited: a limit above the pod',
    )
  })

  t.test('real transcripts, end to end', async (t) => {
    const v1 = reportFrom('linux-6.18-v1-memcg-anon-oom.txt')
    const anon = classify({ container: [], kernel: v1 })
    t.equal(anon.cause, 'anon')
    t.equal(anon.scope, 'container')
    t.equal(anon.numbers.source, 'kernel')
    t.equal(anon.numbers.limitBytes, 32 * MiB)
    t.equal(anon.numbers.kernelEstimated, true, 'v1: no kernel in memory.stat')
    t.match(anon.message, /the kernel killed dd \(pid 2692\)/)

    const v2 = reportFrom('linux-6.8-v2-memcg-dirty-oom.txt')
    const id = v2.oomMemcg ?? ''
    const dirty = classify({ container: [], kernel: v2, containerCgroup: id, podCgroup: id.slice(0, id.lastIndexOf('/')) })
    t.equal(dirty.cause, 'dirty_page_cache')
    t.equal(dirty.scope, 'container')
    t.equal(dirty.numbers.kernelBytes, 2322432)
    t.equal(dirty.numbers.peakDirtyWritebackBytes, 207618048 + 102760448)
    t.match(dirty.message, /Limit 600 MiB, usage 600 MiB, anon 4\.0 MiB, clean cache 296 MiB, dirty\+writeback 296 MiB, kernel 2\.2 MiB/)
    t.match(dirty.message, /the kernel killed qemu-img \(pid 48211\)/)
  })
})

t.test('a crowd of big names still fits an Event', async (t) => {
  const largest = Array.from({ length: 50 }, (_, i) => ({ pid: i, comm: 'ü'.repeat(400), rssBytes: MiB }))
  const out = classify({ container: run([writer(100)]), processes: { count: 50, rssBytes: 50 * MiB, largest } })
  t.ok(Buffer.byteLength(out.message) <= MESSAGE_MAX_BYTES)
  t.match(out.message, /^OOM-killed at the container memory limit: dirty_page_cache/)
})
