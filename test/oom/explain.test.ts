import t from 'tap'
import { OOM_CAUSES, OOM_SCOPES, type OomNumbers } from '../../agent/oom/classify.js'
import { ADVICE, MESSAGE_MAX_BYTES, explain, fitBytes, mib } from '../../agent/oom/explain.js'

const MiB = 1024 * 1024

t.test('mib', async (t) => {
  t.equal(mib(0), '0.0')
  t.equal(mib(1.25 * MiB), '1.3')
  t.equal(mib(9.94 * MiB), '9.9')
  t.equal(mib(10 * MiB), '10')
  t.equal(mib(255.6 * MiB), '256')
})

t.test('fitBytes cuts on a character boundary', async (t) => {
  t.equal(fitBytes('abc', 3), 'abc')
  t.equal(fitBytes('abcd', 3), '…', 'the mark alone is 3 bytes')
  t.equal(fitBytes('abcdef', 5), 'ab…')
  const cut = fitBytes('ü'.repeat(10), 8)
  t.equal(cut, 'üü…')
  t.ok(Buffer.byteLength(cut) <= 8)
  t.notOk(cut.includes('\ufffd'))
})

t.test('every cause and scope: advice, the cause named, within an Event', async (t) => {
  const numbers: OomNumbers = { source: 'samples', samples: 3, limitBytes: 256 * MiB, usageBytes: 255 * MiB, anonBytes: MiB }
  for (const cause of OOM_CAUSES) {
    t.ok(ADVICE[cause].length > 0, `${cause} has advice`)
    for (const scope of OOM_SCOPES) {
      const { advice, message } = explain(cause, scope, numbers)
      t.ok(message.includes(`: ${cause}, `), `${cause}/${scope} names the cause`)
      t.ok(Buffer.byteLength(message) <= MESSAGE_MAX_BYTES)
      t.ok(message.includes(`To fix: ${advice[0] ?? ''}`), `${cause}/${scope} leads with its first advice`)
      t.equal(advice.length, ADVICE[cause].length + (scope === 'container' ? 0 : 1))
    }
  }
})

t.test('absent numbers are left out, not shown as 0', async (t) => {
  const { message } = explain('unknown', 'container', { source: 'none', samples: 0 })
  t.notMatch(message, /MiB/)
  t.notMatch(message, /Limit/)
  const some = explain('anon', 'container', {
    source: 'samples',
    samples: 1,
    anonBytes: 5 * MiB,
    shmemBytes: 0,
    kernelBytes: 0,
    dirtyBytes: 0,
  }).message
  t.match(some, /Anon 5\.0 MiB, dirty\+writeback 0\.0 MiB\./)
  t.notMatch(some, /shmem|kernel 0/, 'zero shmem and kernel are noise unless they are the cause')
  t.match(explain('shmem', 'container', { source: 'samples', samples: 1, shmemBytes: 0 }).message, /Shmem 0\.0 MiB/)
  t.match(
    explain('page_cache', 'container', { source: 'samples', samples: 1, peakDirtyWritebackBytes: 3 * MiB }).message,
    /Dirty\+writeback \? MiB \(peak 3\.0 MiB\)/,
  )
})

t.test('advice is dropped from the end before the numbers are cut', async (t) => {
  const largest = [{ pid: 1, comm: 'x'.repeat(300), rssBytes: MiB }]
  const { message } = explain('dirty_page_cache', 'node', {
    source: 'samples',
    samples: 1,
    processesRssBytes: MiB,
    largestProcesses: largest,
    victim: { pid: 2, comm: 'y'.repeat(200) },
  })
  t.ok(Buffer.byteLength(message) <= MESSAGE_MAX_BYTES)
  t.match(message, /To fix: the node ran out of memory/)
  t.notMatch(message, /fsync/, 'the last advice went first')
  const huge = explain('anon', 'container', { source: 'samples', samples: 1, victim: { pid: 2, comm: 'z'.repeat(2000) } }).message
  t.match(huge, /^OOM-killed at the container memory limit: anon, /, 'the head survives the cut')
  t.notMatch(huge, /To fix/, 'no room left for advice')
  t.ok(huge.endsWith('…'))
  t.ok(Buffer.byteLength(huge) <= MESSAGE_MAX_BYTES)
})
