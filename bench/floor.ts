// The C floor (bench/floor.c): the least a program can do to read the same files. Built
// with gcc into bench/out/, run over a list file of cgroup directories, and its one line of
// JSON checked field by field.
import { errorMessage } from './errors.js'
import { spawnSync } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { CgroupVersion } from './agent-api.js'
import { FILES, floorArgs } from './files.js'
import { isRecord } from './guards.js'
import { FLOOR_SOURCE, OUT } from './paths.js'
import { median } from './stats.js'

/** One run of the floor binary: PASSES timed passes after WARMUP untimed ones. */
export interface FloorRun {
  readonly cgroups: number
  readonly files: number
  readonly fields: number
  readonly nsPerPass: readonly number[]
  readonly cpuNsPerPass: readonly number[]
  readonly openedPerPass: number
  readonly missingPerPass: number
  readonly bytesPerPass: number
  readonly absentFields: number
  readonly checksum: number
}

/** Runs merged: every pass of every round, and their medians in milliseconds. */
export interface FloorSummary extends FloorRun {
  readonly runs: number
  readonly passes: number
  readonly medianMs: number
  readonly cpuMedianMs: number
}

const isNumbers = (x: unknown): x is number[] => Array.isArray(x) && x.every((n) => typeof n === 'number')

/** Parses the floor's stdout; throws naming the field that is missing or malformed. */
export function parseFloorOutput(text: string): FloorRun {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    throw new Error(`floor printed no JSON: ${JSON.stringify(text.slice(0, 200))}`)
  }
  if (!isRecord(json)) throw new Error('floor printed JSON that is not an object')
  const num = (key: string): number => {
    const v = json[key]
    if (typeof v !== 'number') throw new Error(`floor output: ${key} is not a number`)
    return v
  }
  const list = (key: string): number[] => {
    const v = json[key]
    if (!isNumbers(v)) throw new Error(`floor output: ${key} is not a list of numbers`)
    return v
  }
  return {
    cgroups: num('cgroups'),
    files: num('files'),
    fields: num('fields'),
    nsPerPass: list('nsPerPass'),
    cpuNsPerPass: list('cpuNsPerPass'),
    openedPerPass: num('openedPerPass'),
    missingPerPass: num('missingPerPass'),
    bytesPerPass: num('bytesPerPass'),
    absentFields: num('absentFields'),
    checksum: num('checksum'),
  }
}

export function mergeFloorRuns(runs: readonly FloorRun[]): FloorSummary {
  const first = runs[0]
  if (first === undefined) throw new Error('no floor runs to merge')
  const nsPerPass = runs.flatMap((r) => r.nsPerPass)
  const cpuNsPerPass = runs.flatMap((r) => r.cpuNsPerPass)
  return {
    ...first,
    runs: runs.length,
    passes: nsPerPass.length,
    nsPerPass,
    cpuNsPerPass,
    medianMs: median(nsPerPass) / 1e6,
    cpuMedianMs: median(cpuNsPerPass) / 1e6,
  }
}

/** Compiles bench/floor.c into bench/out/floor; returns the binary's path. */
/** The floor's binary, or undefined with the reason pushed onto errors (the run goes on without it). */
export function tryBuildFloor(errors: string[]): string | undefined {
  try {
    return buildFloor()
  } catch (er) {
    errors.push(`C floor: ${errorMessage(er)}`)
    return undefined
  }
}

export function buildFloor(): string {
  mkdirSync(OUT, { recursive: true })
  const bin = join(OUT, 'floor')
  const r = spawnSync('gcc', ['-O2', '-Wall', '-o', bin, FLOOR_SOURCE], { encoding: 'utf8' })
  if (r.error !== undefined) throw new Error(`cannot run gcc: ${r.error.message}`)
  if (r.status !== 0) throw new Error(`gcc failed:\n${r.stderr}`)
  return bin
}

export function runFloor(bin: string, listFile: string, version: CgroupVersion, passes: number, warmup: number): FloorRun {
  const args = [listFile, version, String(passes), String(warmup), ...floorArgs(FILES[version])]
  const r = spawnSync(bin, args, { encoding: 'utf8', timeout: 120_000 })
  if (r.status !== 0) throw new Error(`floor exited ${r.status ?? r.signal}: ${r.stderr}`)
  return parseFloorOutput(r.stdout)
}
