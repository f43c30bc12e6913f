// Builds a real serve app from command-line flags, logging into an array of parsed JSON lines.
import { createServeApp, type ServeApp, type ServeDeps } from '../../agent/app/serve.js'
import type { Timers } from '../../agent/collect/timers.js'
import { parseConfig } from '../../agent/config.js'
import { captureLogs } from './logs.js'
import { NATIVE_READER } from './reader.js'

export interface TestAgent {
  readonly agent: ServeApp
  readonly logs: Record<string, unknown>[]
}

export async function agentFrom(argv: readonly string[], metadata?: ServeDeps['metadata'], timers?: Timers): Promise<TestAgent> {
  const parsed = parseConfig(['serve', ...argv], NATIVE_READER ? {} : { MEMLENS_NATIVE: '0' })
  if (parsed.config === undefined) throw new Error('no config')
  const { logger, logs } = captureLogs()
  const deps: ServeDeps = { logger, ...(timers === undefined ? {} : { timers }), ...(metadata === undefined ? {} : { metadata }) }
  return { agent: await createServeApp(parsed.config, deps), logs }
}
