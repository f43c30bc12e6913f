// results.json and friends in bench/out/: every figure and raw sample of a run, numbers
// rounded to 4 digits, unmeasured ones as null.
import { mkdirSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import { join } from 'node:path'
import { round } from './format.js'
import { OUT } from './paths.js'

export function writeResults(name: string, results: unknown): string {
  mkdirSync(OUT, { recursive: true })
  const file = join(OUT, name)
  const json = JSON.stringify(results, (_k, v: unknown) => (typeof v === 'number' ? round(v, 4) : v instanceof Set ? [...v] : v), 2)
  writeFileSync(file, json + '\n')
  return file
}

/** What the figures were measured on. */
export function machine() {
  const cpus = os.cpus()
  return { date: new Date().toISOString(), node: process.version, cpus: cpus.length, cpuModel: cpus[0]?.model, kernel: os.release() }
}
