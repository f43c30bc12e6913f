// The figures report is pure: fabricated results in, text out. Each figure lands in its row,
// unmeasured ones read n/a, and the memory goal is issue 9's.
import t from 'tap'
import { parseOptions } from '../../../bench/args.js'
import type { CycleFigures } from '../../../bench/figures/cycle.js'
import { figuresPlan } from '../../../bench/figures/plan.js'
import { figuresTable } from '../../../bench/figures/report.js'
import type { FiguresResults } from '../../../bench/figures/results.js'
import { FLOOR } from '../floor-fixture.js'

const floor = FLOOR

const cycle = (openedPerCycle: number): CycleFigures => ({
  reader: 'native (one call per cgroup)',
  cycleMs: [],
  cycleCpuMs: [],
  medianMs: 10,
  cpuMedianMs: 6,
  discoverMs: 1,
  renderMs: 5,
  nodeReadMs: 9,
  nodeReadCpuMs: 5,
  found: { pods: 20, containers: 80 },
  files: { openedPerCycle, openedOutsideTree: 0, notes: [] },
  ratio: 1.25,
  cpuRatio: 1.5,
  roundRatios: [1.2, 1.3],
})

function results(openedPerCycle: number): FiguresResults {
  return {
    date: '',
    node: 'v20',
    cpus: 2,
    cpuModel: 'cpu',
    kernel: '6',
    quick: true,
    real: false,
    plan: figuresPlan(parseOptions(['--quick'])),
    targets: {},
    caveat: '',
    columns: [
      { key: 'v1', version: 'v1', real: false, label: 'cgroup v1' },
      { key: 'v2', version: 'v2', real: false, label: 'cgroup v2' },
    ],
    skipped: [],
    versions: {
      v1: { errors: ['v1 generate tree: no space'] },
      v2: { tree: { root: '/r', fs: 'tmpfs', pods: 20, containers: 80, cgroups: 100 }, cycle: cycle(openedPerCycle), floor, errors: [] },
    },
    errors: [],
    loadAverage: { before: 0, after: 0 },
    totalSeconds: 1,
  }
}

const rowOf = (text: string, label: string): string => text.split('\n').find((l) => l.startsWith(label)) ?? ''

t.test('the figures table: each figure in its row, n/a where a tree failed, never NaN', async (t) => {
  const text = figuresTable(results(700))
  t.match(rowOf(text, '    ratio agent / C'), /n\/a\s+1\.25x meets target\s+<= 1\.3x/)
  t.match(rowOf(text, '  files opened: agent / C'), /n\/a\s+700 \/ 700/)
  t.match(rowOf(text, '(3) RSS peak VmHWM'), /<= 64 MB$/, "issue 9's memory goal")
  t.match(rowOf(text, '  per cgroup: agent / C'), /100\.0 \/ 80\.0 us/)
  t.notMatch(text, /NaN|undefined/)
  t.match(rowOf(figuresTable(results(NaN)), '  files opened: agent / C'), /n\/a \/ 700/, 'opens not seen: n/a, not NaN')
})
