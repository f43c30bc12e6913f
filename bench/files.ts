// The files memlens reads per cgroup and the keys it keeps, taken from the agent itself
// (READ_SPEC), so the tree generator (checks the captures have them) and the C floor (what
// to open, read and parse) read exactly what the agent reads. figures/file-check.ts checks
// the files the agent really opens.
//
// format: 'single' - one value ('max' means none); 'flat' - `key value` lines, only `keys`
// are kept; 'psi' - `some|full avg10=.. avg60=.. avg300=.. total=N`, the totals are kept.
import { READ_SPEC, type CgroupVersion, type FileSpec } from './agent-api.js'

export const FILES: Readonly<Record<CgroupVersion, readonly FileSpec[]>> = READ_SPEC

/** Real captures (Linux 6.18) every generated cgroup directory is populated from. */
export const CAPTURES: Readonly<Record<CgroupVersion, string>> = {
  v1: 'test/fixtures/captures/cgroup-v1-linux-6.18-after-write',
  v2: 'test/fixtures/captures/cgroup-v2-linux-6.18-idle',
}

/** A file list as arguments for the C floor: `name:format[:key,key,...]`. */
export function floorArgs(files: readonly FileSpec[]): string[] {
  return files.map((f) => [f.name, f.format, ...(f.keys ? [f.keys.join(',')] : [])].join(':'))
}
