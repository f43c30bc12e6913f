// `memlens explain` as text: one block per explained OOM kill, most recent first. The header
// says when, who, what and where; the rest lines up under a label column, wrapped to the
// terminal. Everything the agent sent passes printable(): names and comms reach the terminal.
import type { OomJson, OomProcessJson } from '../expose/ooms-json.js'
import { mib } from '../oom/explain.js'
import { printable, textWidth, wrap } from './format.js'

const SCOPE_TEXT: Readonly<Record<string, string>> = {
  container: 'container limit',
  pod: 'pod limit',
  node: 'node-wide OOM',
}

/** The memory figures at the kill, in the order a reader compares them. */
const AT_KILL: readonly (readonly [string, string])[] = [
  ['limit', 'limitBytes'],
  ['usage', 'usageBytes'],
  ['anon', 'anonBytes'],
  ['clean cache', 'cleanCacheBytes'],
  ['dirty', 'dirtyBytes'],
  ['writeback', 'writebackBytes'],
  ['shmem', 'shmemBytes'],
  ['kernel', 'kernelBytes'],
]

const LABEL_WIDTH = 13
const INDENT = '  '

/** A figure the agent sent, or undefined: an agent of another version may send other types. */
function figure(numbers: OomJson['numbers'], key: string): number | undefined {
  const v = numbers[key]
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined
}

/** Keeps a figure's words on one line when wrapped (wrap breaks at spaces, not at these). */
const KEEP = '\u00a0'
const together = (text: string): string => text.replace(/ /g, KEEP)

function bytes(n: number): string {
  return `${n === 0 ? '0' : mib(n)} MiB`
}

/** `2026-11-27T12:00:03.120Z` → `2026-11-27 12:00:03Z`; anything else as it came. */
export function shortTime(iso: string): string {
  const m = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d:\d\d)(?:\.\d+)?Z$/.exec(iso)
  return m === null ? iso : `${m[1]} ${m[2]}Z`
}

/** namespace/pod/container where the API named them; the cgroup id otherwise. */
export function oomName(oom: Pick<OomJson, 'namespace' | 'pod' | 'container' | 'id'>): string {
  // '' is how agents before the null names said "not named".
  if (oom.namespace === null || oom.namespace === '' || oom.pod === null || oom.pod === '') return oom.id
  return [oom.namespace, oom.pod, ...(oom.container === null || oom.container === '' ? [] : [oom.container])].join('/')
}

function isProcess(v: unknown): v is OomProcessJson {
  if (typeof v !== 'object' || v === null) return false
  const p = v as Record<string, unknown>
  return typeof p['pid'] === 'number' && typeof p['comm'] === 'string' && (p['rssBytes'] === null || typeof p['rssBytes'] === 'number')
}

function processText(p: OomProcessJson): string {
  return `${p.comm} (pid ${p.pid}${p.rssBytes === null ? '' : `, ${bytes(p.rssBytes)}`})`
}

/** The numbers behind the cause, as labelled rows; rows without a figure are left out. */
function figureRows(oom: OomJson): [string, string][] {
  const n = oom.numbers
  const rows: [string, string][] = []
  const atKill = AT_KILL.flatMap(([label, key]) => {
    const v = figure(n, key)
    return v === undefined ? [] : [together(`${label} ${bytes(v)}`)]
  })
  if (atKill.length > 0)
    rows.push(['at the kill', `${atKill.join(', ')} ${together(oom.fromKernelReport ? "(the kernel's report)" : "(memlens' samples)")}`])
  const peakDirty = figure(n, 'peakDirtyWritebackBytes')
  const peakHits = figure(n, 'peakLimitHitsPerSecond')
  const peaks = [
    ...(peakDirty === undefined ? [] : [together(`dirty+writeback ${bytes(peakDirty)}`)]),
    ...(peakHits === undefined ? [] : [together(`${Math.round(peakHits)} limit hits/s`)]),
  ]
  if (peaks.length > 0) rows.push(['peaks', `${peaks.join(', ')} ${together('(before the kill)')}`])
  const count = figure(n, 'processCount')
  const rss = figure(n, 'processesRssBytes')
  // Checked, not trusted: an agent of another version may send another shape.
  const listed: unknown = n.largestProcesses
  const largest = Array.isArray(listed) ? listed.filter(isProcess).slice(0, 3) : []
  if (count !== undefined || rss !== undefined) {
    const head = rss === undefined ? `${count ?? '?'}` : `RSS ${bytes(rss)}${count === undefined ? '' : ` in ${count}`}`
    rows.push(['processes', largest.length === 0 ? head : `${head}; largest ${largest.map((p) => together(processText(p))).join(', ')}`])
  }
  const victim: unknown = n.victim
  if (isProcess(victim)) rows.push(['killed', processText(victim)])
  return rows
}

/**
 * The message's first sentence (where, and what the cause means): the rest of it repeats the
 * figures and the advice listed below it. --json and the Kubernetes Event carry all of it.
 */
export function headline(message: string): string {
  const m = /^.*?\.(?= [A-Z])/s.exec(message)
  return m === null ? message : m[0]
}

/** One explained kill as lines no wider than width. */
export function renderOom(oom: OomJson, width: number): string[] {
  const scope = SCOPE_TEXT[oom.scope] ?? oom.scope
  const what = `${oom.cause}, ${scope}${oom.kills > 1 ? `, ${oom.kills} kills` : ''}`
  const who = `${shortTime(oom.time)}  ${oomName(oom)}`
  // One line when it fits; otherwise the cause goes under the name, never into the middle of it.
  const lines =
    textWidth(`${who}  ${what}`) <= width
      ? [`${who}  ${what}`]
      : [...(textWidth(who) <= width ? [who] : wrap(who, width, '', INDENT)), ...wrap(what, width, INDENT)]
  lines.push(...wrap(headline(oom.message), width, INDENT))
  const column = ' '.repeat(INDENT.length + LABEL_WIDTH)
  const labelled = (label: string, text: string, rest = column): string[] => wrap(text, width, INDENT + label.padEnd(LABEL_WIDTH), rest)
  for (const [label, text] of figureRows(oom)) lines.push(...labelled(label, text))
  oom.evidence.forEach((line, i) => lines.push(...labelled(i === 0 ? 'why' : '', line)))
  oom.advice.forEach((line, i) => lines.push(...labelled(i === 0 ? 'what to do' : '', `- ${line}`, `${column}  `)))
  return lines.map(printable)
}

/** Every kill, a blank line between them; '\n' after each line. */
export function renderOoms(ooms: readonly OomJson[], width: number): string {
  const w = Math.max(INDENT.length + LABEL_WIDTH + 20, Math.floor(width))
  return ooms.map((oom) => renderOom(oom, w).join('\n') + '\n').join('\n')
}
