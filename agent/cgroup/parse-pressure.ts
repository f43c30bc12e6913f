// Pressure stall information (PSI), v2 only.
//   some avg10=0.24 avg60=0.06 avg300=0.01 total=73667
//   full avg10=0.24 avg60=0.06 avg300=0.01 total=73667
// `total` is cumulative microseconds. Kernel doc: Documentation/accounting/psi.rst.
// cAdvisor maps some → container_pressure_memory_waiting_seconds_total, full → _stalled_.
import { ParseError } from '../errors.js'
import { parseInteger } from './parse-number.js'

export interface PressureTotals {
  readonly someMicros?: number
  readonly fullMicros?: number
}

export function parsePressure(text: string, file: string): PressureTotals {
  let someMicros: number | undefined
  let fullMicros: number | undefined
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? ''
    if (line === '') continue
    const space = line.indexOf(' ')
    const kind = space === -1 ? line : line.slice(0, space)
    const at = line.indexOf(' total=')
    const total = at === -1 ? undefined : parseInteger(line, at + 7)
    if ((kind !== 'some' && kind !== 'full') || total === undefined) {
      // A kind we do not know (a future kernel) is skipped; a known one must be well formed.
      if (kind === 'some' || kind === 'full' || kind === '') throw new ParseError(file, i + 1, line, 'expected "some|full ... total=N"')
      continue
    }
    if (kind === 'some') someMicros = total
    else fullMicros = total
  }
  return { someMicros, fullMicros }
}
