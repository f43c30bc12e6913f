// Generates one benchmark tree and prints where it is, for looking at or for other tools.
//   node dist/bench/tree/gen-tree-cli.js [--version v1|v2] [--pods 500] [--containers 4] [--seed 1] [--out DIR] [--pid N]
// --pid: the PID each container's cgroup.procs lists; by default the parent of this command
// (usually the shell), since this process is gone once the tree is written.
import { parseArgs } from 'node:util'
import { generateTree } from './gen-tree.js'

const { values } = parseArgs({
  options: {
    version: { type: 'string', default: 'v2' },
    pods: { type: 'string', default: '500' },
    containers: { type: 'string', default: '4' },
    seed: { type: 'string', default: '1' },
    out: { type: 'string' },
    pid: { type: 'string' },
  },
})
const version = values.version
if (version !== 'v1' && version !== 'v2') throw new Error('--version must be v1 or v2')
const t0 = performance.now()
const tree = generateTree({
  version,
  pods: Number(values.pods),
  containersPerPod: Number(values.containers),
  seed: Number(values.seed),
  procsPid: values.pid === undefined ? process.ppid : Number(values.pid),
  ...(values.out === undefined ? {} : { out: values.out }),
})
const { cgroupDirs, expected: _expected, writer: _writer, ...summary } = tree
console.log(JSON.stringify({ ...summary, cgroups: cgroupDirs.length, ms: Math.round(performance.now() - t0) }, null, 2))
