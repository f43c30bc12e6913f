import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import {
  buildFloor,
  floorLists,
  floorUnlikeAgent,
  mergeFloorRuns,
  parseFloorOutput,
  runFloor,
  runFloorPaced,
  writeFloorView,
} from '../../bench/floor.js'
import { generateTree } from '../../bench/tree/gen-tree.js'

const NO_GCC = spawnSync('gcc', ['--version']).status === 0 ? false : 'no gcc to build bench/floor.c'

const RUN = {
  version: 'v2',
  cgroups: 100,
  files: 7,
  fields: 30,
  passes: 3,
  warmup: 1,
  nsPerPass: [3_000_000, 1_000_000, 2_000_000],
  cpuNsPerPass: [900_000, 800_000, 1_000_000],
  memoryNsPerPass: [2_000_000, 500_000, 1_000_000],
  memoryCpuNsPerPass: [600_000, 400_000, 500_000],
  medianNs: 2_000_000,
  minNs: 1_000_000,
  openedPerPass: 860,
  memoryOpenedPerPass: 700,
  missingPerPass: 0,
  bytesPerPass: 123456,
  dirsListedPerPass: 24,
  dirEntriesPerPass: 300,
  procsReadPerPass: 80,
  pidsPerPass: 80,
  statusReadPerPass: 80,
  statusGonePerPass: 0,
  vmRssKb: 4_000_000,
  absentFields: 0,
  checksum: 42,
}

t.test('parseFloorOutput takes the floor line and names a bad field', async (t) => {
  const run = parseFloorOutput(JSON.stringify(RUN) + '\n')
  t.equal(run.openedPerPass, 860)
  t.equal(run.memoryOpenedPerPass, 700)
  t.equal(run.statusReadPerPass, 80)
  t.same(run.nsPerPass, RUN.nsPerPass)
  t.same(run.memoryCpuNsPerPass, RUN.memoryCpuNsPerPass)
  t.throws(() => parseFloorOutput('floor: empty list'), /no JSON/)
  t.throws(() => parseFloorOutput(JSON.stringify({ ...RUN, openedPerPass: 'x' })), /openedPerPass is not a number/)
  t.throws(() => parseFloorOutput(JSON.stringify({ ...RUN, cpuNsPerPass: [1, 'a'] })), /cpuNsPerPass/)
  const { memoryNsPerPass: _m, ...old } = RUN
  t.throws(() => parseFloorOutput(JSON.stringify(old)), /memoryNsPerPass is not a list/, 'an old floor binary is refused')
  t.throws(() => parseFloorOutput('[1]'), /not an object/)
})

t.test('mergeFloorRuns pools the passes of every round, whole and memory-only apart', async (t) => {
  const a = parseFloorOutput(JSON.stringify(RUN))
  const b = parseFloorOutput(
    JSON.stringify({
      ...RUN,
      nsPerPass: [4_000_000],
      cpuNsPerPass: [2_000_000],
      memoryNsPerPass: [3_000_000],
      memoryCpuNsPerPass: [700_000],
    }),
  )
  const m = mergeFloorRuns([a, b])
  t.equal(m.runs, 2)
  t.equal(m.passes, 4)
  t.equal(m.medianMs, 2.5)
  t.equal(m.cpuMedianMs, 0.95)
  t.equal(m.memoryMedianMs, 1.5)
  t.equal(m.memoryCpuMedianMs, 0.55)
  t.throws(() => mergeFloorRuns([]))
})

t.test('floorLists: the hierarchy root down to each pod is listed; cgroups with no cgroup below are containers', async (t) => {
  const root = '/t/root'
  const burst = `${root}/kubepods.slice/kubepods-burstable.slice`
  const podA = `${burst}/kubepods-burstable-podA.slice`
  const podB = `${root}/kubepods.slice/kubepods-podB.slice`
  const dirs = [podA, `${podA}/c1.scope`, `${podA}/c2.scope`, podB, `${podB}/c3.scope`]
  const lists = floorLists(root, dirs)
  t.same(lists.walk, [root, `${root}/kubepods.slice`, burst, podA, podB], 'ancestors first, each once')
  t.same(lists.containers, [`${podA}/c1.scope`, `${podA}/c2.scope`, `${podB}/c3.scope`])
  t.same(floorLists(`${root}/`, dirs).walk[0], root, 'a trailing slash on the root is dropped')
  t.throws(() => floorLists(root, ['/elsewhere/pod']), /not below the hierarchy root/)
  t.throws(() => floorLists(root, ['/t/rootless/pod']), /not below the hierarchy root/, 'a prefix of a name is not a parent')
})

// The floor as it runs in --cost, on a small generated tree: counts only, never timings.
t.test('the C floor does what the agent does on a generated tree', { skip: NO_GCC }, async (t) => {
  const tmp = mkdtempSync(join(tmpdir(), 'memlens-floor-test-'))
  t.teardown(() => rmSync(tmp, { recursive: true, force: true }))
  const bin = buildFloor(join(tmp, 'bin'))
  for (const version of ['v1', 'v2'] as const) {
    // 5 pods: one of each QoS turn (guaranteed, 3 burstable, besteffort), 2 containers each.
    const tree = generateTree({ version, pods: 5, containersPerPod: 2, out: join(tmp, version) })
    const view = writeFloorView(tree)
    const run = runFloor(bin, tree.listFile, version, 2, 1, view)
    t.equal(run.cgroups, 15, `${version}: 5 pods and 10 containers`)
    // The root, kubepods.slice, the burstable and besteffort slices, and the 5 pods.
    t.equal(run.dirsListedPerPass, 9, `${version}: the hierarchy root down to each pod is listed`)
    t.equal(readFileSync(view.walkFile, 'utf8').split('\n')[0], tree.hierarchyRoot)
    t.equal(run.procsReadPerPass, 10, `${version}: one cgroup.procs per container`)
    t.equal(run.pidsPerPass, 10, `${version}: each container lists one PID`)
    t.equal(run.statusReadPerPass, 10, `${version}: a live PID: this process`)
    t.equal(run.statusGonePerPass, 0)
    t.ok(run.vmRssKb > 0, `${version}: VmRSS parsed`)
    t.equal(run.memoryOpenedPerPass, 15 * run.files)
    t.equal(run.openedPerPass, 15 * run.files + 10 + 10, `${version}: memory files, cgroup.procs, status`)
    t.equal(run.missingPerPass, 0)
    t.equal(run.nsPerPass.length, 2)
    t.equal(run.memoryCpuNsPerPass.length, 2)
    t.equal(floorUnlikeAgent(mergeFloorRuns([run]), tree.containers), undefined, `${version}: nothing unlike the agent`)

    // Without a view a pass is the memory files alone, and both figures are the same passes.
    const plain = runFloor(bin, tree.listFile, version, 2, 0)
    t.equal(plain.openedPerPass, 15 * run.files)
    t.equal(plain.dirsListedPerPass + plain.procsReadPerPass + plain.statusReadPerPass, 0)
    t.same(plain.memoryNsPerPass, plain.nsPerPass)
    t.equal(plain.checksum, run.checksum, 'the same memory values read either way')
  }
})

t.test('the paced floor, run beside the agent, does the same passes, one per interval', { skip: NO_GCC }, async (t) => {
  const tmp = mkdtempSync(join(tmpdir(), 'memlens-floor-test-'))
  t.teardown(() => rmSync(tmp, { recursive: true, force: true }))
  const bin = buildFloor(join(tmp, 'bin'))
  const tree = generateTree({ version: 'v2', pods: 2, containersPerPod: 2, out: join(tmp, 't') })
  const view = writeFloorView(tree)
  const paced = await runFloorPaced(bin, tree.listFile, 'v2', 3, 20, view)
  const tight = runFloor(bin, tree.listFile, 'v2', 1, 0, view)
  t.equal(paced.nsPerPass.length, 3, 'as many timed passes as asked')
  t.equal(paced.cpuNsPerPass.length, 3)
  t.equal(paced.openedPerPass, tight.openedPerPass, 'the same files as a pass back to back')
  t.equal(paced.dirsListedPerPass, tight.dirsListedPerPass)
  t.equal(paced.checksum, tight.checksum, 'the same values')
  // The interval is what makes it paced: the program's wall time holds three of them (a lower bound, not a timing).
  const started = performance.now()
  await runFloorPaced(bin, tree.listFile, 'v2', 3, 100, view)
  t.ok(performance.now() - started >= 300, 'each of its three passes started an interval after the one before')
  await t.rejects(runFloorPaced(bin, tree.listFile, 'v2', 1, -1, view), /floor exited 2: floor: INTERVAL_MS >= 0/)
})

t.test('a PID that is gone is counted, not fatal', { skip: NO_GCC }, async (t) => {
  const tmp = mkdtempSync(join(tmpdir(), 'memlens-floor-test-'))
  t.teardown(() => rmSync(tmp, { recursive: true, force: true }))
  const bin = buildFloor(join(tmp, 'bin'))
  // Above any pid_max (at most 2^22): no such process.
  const tree = generateTree({ version: 'v2', pods: 1, containersPerPod: 2, out: join(tmp, 't'), procsPid: 4_294_967_295 })
  const run = runFloor(bin, tree.listFile, 'v2', 1, 0, writeFloorView(tree))
  t.equal(run.procsReadPerPass, 2)
  t.equal(run.statusReadPerPass, 0)
  t.equal(run.statusGonePerPass, 2)
  t.match(floorUnlikeAgent(mergeFloorRuns([run]), tree.containers), /2 PIDs per pass were gone/)
})

t.test('floorUnlikeAgent names what differs', async (t) => {
  const m = mergeFloorRuns([parseFloorOutput(JSON.stringify(RUN))])
  t.equal(floorUnlikeAgent(m, 80), undefined)
  t.match(floorUnlikeAgent(m, 90), /read 80 cgroup\.procs for 90 containers; read 80 \/proc\/PID\/status/)
})
