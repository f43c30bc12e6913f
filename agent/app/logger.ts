// JSON logs on stderr (stdout belongs to snapshot/top output and the serve banner).
import { pino, type DestinationStream, type Logger } from 'pino'
import type { LogLevel } from '../config.js'

export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  return pino({ name: 'memlens', level, base: { pid: process.pid } }, destination ?? pino.destination(2))
}
