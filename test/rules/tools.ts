// promtool and prometheus are not project dependencies: the tests use the ones on PATH (Debian's
// `prometheus` package has both; $PROMTOOL and $PROMETHEUS point elsewhere) and skip, saying
// why, where they are missing. Under CI=true a missing tool is a failure, never a skip.
import { spawnSync } from 'node:child_process'

export interface FoundTool {
  readonly bin: string
  readonly version: string
}

export type Tool = FoundTool | { readonly skip: string }

const INSTALL = 'apt-get install --no-install-recommends prometheus'

export function findTool(name: 'promtool' | 'prometheus'): Tool {
  const bin = (name === 'promtool' ? process.env['PROMTOOL'] : process.env['PROMETHEUS']) ?? name
  const res = spawnSync(bin, ['--version'], { encoding: 'utf8', timeout: 30_000 })
  if (res.error !== undefined) return { skip: `${bin} not found (${res.error.message}); ${INSTALL}` }
  if (res.status !== 0) return { skip: `${bin} --version failed: ${res.stderr.trim()}` }
  const version = `${res.stdout}${res.stderr}`.split('\n')[0] ?? ''
  return { bin, version }
}

/** What to pass as tap's `skip`: the reason, or false where the tool is there or CI=true. */
export function skipReason(tool: Tool): string | false {
  return 'skip' in tool && process.env['CI'] !== 'true' ? tool.skip : false
}

/** The tool, inside a test that was not skipped: under CI=true a missing one fails here. */
export function required(tool: Tool): FoundTool {
  if ('skip' in tool) throw new Error(`CI=true, so this cannot be skipped: ${tool.skip}`)
  return tool
}
