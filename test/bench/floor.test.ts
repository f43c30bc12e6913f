import t from 'tap'
import { mergeFloorRuns, parseFloorOutput } from '../../bench/floor.js'

const RUN = {
  version: 'v2',
  cgroups: 100,
  files: 7,
  fields: 30,
  passes: 3,
  warmup: 1,
  nsPerPass: [3_000_000, 1_000_000, 2_000_000],
  cpuNsPerPass: [900_000, 800_000, 1_000_000],
  medianNs: 2_000_000,
  minNs: 1_000_000,
  openedPerPass: 700,
  missingPerPass: 0,
  bytesPerPass: 123456,
  absentFields: 0,
  checksum: 42,
}

t.test('parseFloorOutput takes the floor line and names a bad field', async (t) => {
  const run = parseFloorOutput(JSON.stringify(RUN) + '\n')
  t.equal(run.openedPerPass, 700)
  t.same(run.nsPerPass, RUN.nsPerPass)
  t.throws(() => parseFloorOutput('floor: empty list'), /no JSON/)
  t.throws(() => parseFloorOutput(JSON.stringify({ ...RUN, openedPerPass: 'x' })), /openedPerPass is not a number/)
  t.throws(() => parseFloorOutput(JSON.stringify({ ...RUN, cpuNsPerPass: [1, 'a'] })), /cpuNsPerPass/)
  t.throws(() => parseFloorOutput('[1]'), /not an object/)
})

t.test('mergeFloorRuns pools the passes of every round', async (t) => {
  const a = parseFloorOutput(JSON.stringify(RUN))
  const b = parseFloorOutput(JSON.stringify({ ...RUN, nsPerPass: [4_000_000], cpuNsPerPass: [2_000_000] }))
  const m = mergeFloorRuns([a, b])
  t.equal(m.runs, 2)
  t.equal(m.passes, 4)
  t.equal(m.medianMs, 2.5)
  t.equal(m.cpuMedianMs, 0.95)
  t.throws(() => mergeFloorRuns([]))
})
