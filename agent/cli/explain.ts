// memlens explain [NAMESPACE/POD]: asks a running agent (GET /api/v1/ooms) why containers
// were OOM-killed and prints its explanations. Exit codes: 0 answered (kills or none),
// 1 the agent could not be asked, 2 usage (thrown as ConfigError by parseConfig).
import type { Config, ExplainTarget } from '../config.js'
import type { OomJson } from '../expose/ooms-json.js'
import { errorCode, errorMessage } from '../kernel/errors.js'
import { renderOoms } from './explain-text.js'
import { printable } from './format.js'

/** Long enough for a busy agent on a loaded node, short enough that a hung one is noticed. */
export const ANSWER_TIMEOUT_MS = 5000

export const NO_KILLS = 'no OOM kills explained since the agent started'

/** The agent could not be asked, or its answer was not one; the message is one line. */
export class AgentError extends Error {
  override readonly name = 'AgentError'
}

const HOW_TO_START = 'start one with "memlens serve", or point --server (MEMLENS_SERVER) at a running agent'

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/** A name: null (unnamed), or a string ("" from agents older than the null names). */
function isName(v: unknown): v is string | null {
  return v === null || typeof v === 'string'
}

function isStrings(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((s) => typeof s === 'string')
}

/** The fields explain reads; an answer without them is not from a memlens agent of this shape. */
function isOomJson(v: unknown): v is OomJson {
  if (!isRecord(v)) return false
  const strings = ['time', 'id', 'cause', 'scope', 'message'] as const
  const names = ['namespace', 'pod', 'container'] as const
  return (
    strings.every((k) => typeof v[k] === 'string') &&
    names.every((k) => isName(v[k])) &&
    typeof v['kills'] === 'number' &&
    isStrings(v['evidence']) &&
    isStrings(v['advice']) &&
    isRecord(v['numbers'])
  )
}

/** The explanations in a response body; throws AgentError naming what is wrong with it. */
export function parseOoms(body: string, url: string): OomJson[] {
  let parsed: unknown
  try {
    parsed = JSON.parse(body)
  } catch {
    throw new AgentError(`${url} did not answer with JSON: is --server a memlens agent?`)
  }
  const ooms = isRecord(parsed) ? parsed['ooms'] : undefined
  if (!Array.isArray(ooms) || !ooms.every(isOomJson))
    throw new AgentError(`${url} did not answer with OOM explanations: is --server a memlens agent of this version?`)
  return ooms
}

/** Why a request failed, in a word: ECONNREFUSED, ENOTFOUND, or the error's message. */
function reason(er: unknown): string {
  const cause = er instanceof Error ? er.cause : undefined
  return errorCode(cause) ?? errorCode(er) ?? (cause === undefined ? errorMessage(er) : errorMessage(cause))
}

export async function fetchOoms(server: string, timeoutMs = ANSWER_TIMEOUT_MS): Promise<OomJson[]> {
  const url = `${server}/api/v1/ooms`
  let response: Response
  let body: string
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'application/json' } })
    body = await response.text()
  } catch (er) {
    if (er instanceof Error && er.name === 'TimeoutError') {
      throw new AgentError(`the memlens agent at ${server} did not answer within ${timeoutMs / 1000}s`)
    }
    throw new AgentError(`cannot reach a memlens agent at ${server} (${reason(er)}): ${HOW_TO_START}`)
  }
  if (response.status === 404) throw new AgentError(`${url} answered 404: the agent there is older than this memlens, or not memlens`)
  if (!response.ok) throw new AgentError(`${url} answered HTTP ${response.status}`)
  return parseOoms(body, url)
}

export function matches(oom: OomJson, target: ExplainTarget | undefined): boolean {
  return target === undefined || (oom.namespace === target.namespace && (target.pod === undefined || oom.pod === target.pod))
}

function targetText(target: ExplainTarget): string {
  return target.pod === undefined ? `in namespace ${target.namespace}` : `of ${target.namespace}/${target.pod}`
}

export interface ExplainIo {
  readonly stdout: NodeJS.WritableStream & { columns?: number }
  readonly stderr: NodeJS.WritableStream
}

export async function runExplain(config: Pick<Config, 'server' | 'target' | 'json'>, io: ExplainIo, timeoutMs?: number): Promise<number> {
  let all: OomJson[]
  try {
    all = await fetchOoms(config.server, timeoutMs)
  } catch (er) {
    if (!(er instanceof AgentError)) throw er
    io.stderr.write(`memlens: ${printable(er.message)}\n`)
    return 1
  }
  const ooms = all.filter((oom) => matches(oom, config.target))
  if (config.json) {
    io.stdout.write(JSON.stringify({ ooms }, null, 2) + '\n')
  } else if (ooms.length > 0) {
    io.stdout.write(renderOoms(ooms, io.stdout.columns ?? 80))
  } else if (config.target === undefined) {
    io.stdout.write(`${NO_KILLS}\n`)
  } else {
    const others = all.length === 0 ? '' : ` (${all.length} of other pods: memlens explain lists them)`
    io.stdout.write(`no OOM kills ${targetText(config.target)} explained since the agent started${others}\n`)
  }
  return 0
}
