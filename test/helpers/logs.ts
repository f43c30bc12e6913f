// A pino logger whose lines land, parsed, in an array: tests assert on log records, never on
// captured stdout.
import { pino, type Logger } from 'pino'

export interface CapturedLogs {
  readonly logger: Logger
  readonly logs: Record<string, unknown>[]
}

export function captureLogs(level: pino.LevelWithSilent = 'debug'): CapturedLogs {
  const logs: Record<string, unknown>[] = []
  const logger = pino({ level }, { write: (s: string) => void logs.push(JSON.parse(s) as Record<string, unknown>) })
  return { logger, logs }
}

/** The records at warn (40) or above: what a test that expects a quiet run compares with []. */
export const atWarnOrAbove = (logs: readonly Record<string, unknown>[]): Record<string, unknown>[] =>
  logs.filter((l) => Number(l['level']) >= 40)
