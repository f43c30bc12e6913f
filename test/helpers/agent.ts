// Builds a real agent from command-line flags, logging into an array of parsed JSON lines.
import { pino } from 'pino'
import { createAgent, type Agent, type AgentDeps } from '../../agent/app/core.js'
import { parseConfig } from '../../agent/config.js'

export interface TestAgent {
  readonly agent: Agent
  readonly logs: Record<string, unknown>[]
}

export function agentFrom(argv: readonly string[], metadata?: AgentDeps['metadata']): TestAgent {
  const parsed = parseConfig(['serve', ...argv], {})
  if (parsed.config === undefined) throw new Error('no config')
  const logs: Record<string, unknown>[] = []
  const logger = pino({ level: 'debug' }, { write: (s: string) => void logs.push(JSON.parse(s) as Record<string, unknown>) })
  return { agent: createAgent(parsed.config, { logger, metadata }), logs }
}
