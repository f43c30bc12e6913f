// The files memlens reads per cgroup and the keys it keeps, taken from the agent itself
// (READ_SPEC in agent/cgroup/read.ts, built into dist/ by `npm run bench`), so the tree
// generator (checks the captures have them) and the C floor (what to open, read and parse)
// read exactly what the agent reads. run.js still checks the files the agent really opens.
//
// format: 'single' - one value ('max' means none); 'flat' - `key value` lines, only `keys`
// are kept; 'psi' - `some|full avg10=.. avg60=.. avg300=.. total=N`, the totals are kept.
import { READ_SPEC } from '../dist/agent/cgroup/read.js'

/** @type {typeof READ_SPEC} */
export const FILES = READ_SPEC

/** Real captures (Linux 6.18) every generated cgroup directory is populated from. */
export const CAPTURES = Object.freeze({
  v1: 'test/fixtures/captures/cgroup-v1-linux-6.18-after-write',
  v2: 'test/fixtures/captures/cgroup-v2-linux-6.18-idle',
})

/**
 * The file list as arguments for bench/out/floor: `name:format[:key,key,...]`.
 * @param {'v1' | 'v2'} version
 * @returns {string[]}
 */
export function floorArgs(version) {
  return FILES[version].map((f) => [f.name, f.format, ...(f.keys ? [f.keys.join(',')] : [])].join(':'))
}
