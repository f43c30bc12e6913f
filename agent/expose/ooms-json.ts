// The JSON shape of GET /api/v1/ooms and `memlens explain --json`: an OomRecord with its time
// as ISO 8601 and every absent value null (never left out, never 0), like the snapshot JSON.
import type { OomRecord } from '../model.js'

export interface OomProcessJson {
  readonly pid: number
  readonly comm: string
  readonly rssBytes: number | null
}

/** The figures every explanation carries, null where unknown; any others pass through. */
export const OOM_NUMBER_FIELDS = [
  'limitBytes',
  'usageBytes',
  'anonBytes',
  'cleanCacheBytes',
  'dirtyBytes',
  'writebackBytes',
  'shmemBytes',
  'kernelBytes',
  'peakDirtyWritebackBytes',
  'peakLimitHitsPerSecond',
  'processCount',
  'processesRssBytes',
] as const
export type OomNumberField = (typeof OOM_NUMBER_FIELDS)[number]

export type OomNumbersJson = { readonly [K in OomNumberField]: number | null } & {
  /** Largest first; null where the process view did not read the processes. */
  readonly largestProcesses: readonly OomProcessJson[] | null
  /** The process the kernel's report names; null without the report. */
  readonly victim: OomProcessJson | null
  readonly [other: string]: unknown
}

export interface OomJson {
  readonly time: string
  readonly id: string
  readonly podUid: string | null
  readonly containerId: string | null
  /** null until the Kubernetes API named the killed cgroup, as in the snapshot JSON. */
  readonly namespace: string | null
  readonly pod: string | null
  readonly container: string | null
  readonly cause: OomRecord['cause']
  readonly scope: OomRecord['scope']
  readonly kills: number
  readonly message: string
  readonly evidence: readonly string[]
  readonly advice: readonly string[]
  readonly numbers: OomNumbersJson
  readonly fromKernelReport: boolean
}

export interface OomsJson {
  readonly ooms: readonly OomJson[]
}

function finite(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function processJson(value: unknown): OomProcessJson | null {
  if (!isObject(value)) return null
  const pid = finite(value['pid'])
  const comm = value['comm']
  if (pid === null || typeof comm !== 'string') return null
  return { pid, comm, rssBytes: finite(value['rssBytes']) }
}

function numbersJson(numbers: Readonly<Record<string, unknown>>): OomNumbersJson {
  const out: Record<string, unknown> = {}
  // Figures the contract does not name (source, samples, peaks, pod figures) keep their value.
  for (const [key, value] of Object.entries(numbers))
    out[key] = value === undefined || (typeof value === 'number' && !Number.isFinite(value)) ? null : value
  for (const key of OOM_NUMBER_FIELDS) out[key] = finite(numbers[key])
  const largest = numbers['largestProcesses']
  out['largestProcesses'] = Array.isArray(largest) ? largest.map(processJson).filter((p) => p !== null) : null
  out['victim'] = processJson(numbers['victim'])
  return out as OomNumbersJson
}

function nameOrNull(name: string): string | null {
  return name === '' ? null : name
}

export function oomJson(record: OomRecord): OomJson {
  return {
    time: new Date(record.atMs).toISOString(),
    id: record.id,
    podUid: record.podUid ?? null,
    containerId: record.containerId ?? null,
    namespace: nameOrNull(record.namespace),
    pod: nameOrNull(record.pod),
    container: nameOrNull(record.container),
    cause: record.cause,
    scope: record.scope,
    kills: record.kills,
    message: record.message,
    evidence: [...record.evidence],
    advice: [...record.advice],
    numbers: numbersJson(record.numbers),
    fromKernelReport: record.fromKernelReport,
  }
}

/** The response body: the most recent kill first (ties keep their order). */
export function oomsJson(records: readonly OomRecord[]): OomsJson {
  return { ooms: [...records].sort((a, b) => b.atMs - a.atMs).map(oomJson) }
}
