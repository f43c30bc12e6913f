// Pressure stall information (PSI), v2 only.
//   some avg10=0.24 avg60=0.06 avg300=0.01 total=73667
//   full avg10=0.24 avg60=0.06 avg300=0.01 total=73667
// `total` is cumulative microseconds. Kernel doc: Documentation/accounting/psi.rst.
// cAdvisor maps some → container_pressure_memory_waiting_seconds_total, full → _stalled_.
import { ParseError } from '../errors.js'
import { indexOf, lineText, parseInteger } from './parse-number.js'

export interface PressureTotals {
  readonly someMicros?: number
  readonly fullMicros?: number
}

const TOTAL = Buffer.from(' total=', 'latin1')

function startsWith(data: Uint8Array, at: number, word: string): boolean {
  for (let i = 0; i < word.length; i++) if (data[at + i] !== word.charCodeAt(i)) return false
  return data[at + word.length] === 32
}

export function parsePressure(data: Uint8Array, length: number, file: string): PressureTotals {
  let someMicros: number | undefined
  let fullMicros: number | undefined
  let lineStart = 0
  let lineNumber = 0
  while (lineStart < length) {
    const lineEnd = indexOf(data, 10, lineStart, length)
    lineNumber++
    const some = startsWith(data, lineStart, 'some')
    const full = !some && startsWith(data, lineStart, 'full')
    if (some || full) {
      const at = Buffer.from(data.buffer, data.byteOffset + lineStart, lineEnd - lineStart).indexOf(TOTAL)
      const total = at === -1 ? undefined : parseInteger(data, lineStart + at + TOTAL.length, lineEnd)
      if (total === undefined) throw new ParseError(file, lineNumber, lineText(data, lineStart, lineEnd), 'expected "some|full ... total=N"')
      if (some) someMicros = total
      else fullMicros = total
    } else if (lineEnd > lineStart && data[lineStart] === 32) {
      throw new ParseError(file, lineNumber, lineText(data, lineStart, lineEnd), 'expected "some|full ... total=N"')
    }
    // Any other kind of line (a future kernel's) is skipped.
    lineStart = lineEnd + 1
  }
  return { someMicros, fullMicros }
}
