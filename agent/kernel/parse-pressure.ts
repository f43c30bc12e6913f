// Pressure stall information (PSI), v2 only.
//   some avg10=0.24 avg60=0.06 avg300=0.01 total=73667
//   full avg10=0.24 avg60=0.06 avg300=0.01 total=73667
// `total` is cumulative microseconds (%llu: never negative). A second `some` or `full` line
// is an error: which one would be true? Kernel doc: Documentation/accounting/psi.rst.
// cAdvisor maps some → container_pressure_memory_waiting_seconds_total, full → _stalled_.
import { ParseError } from './errors.js'
import { indexOf, lineText, parseInteger } from './parse-number.js'

export interface PressureTotals {
  readonly someMicros?: number
  readonly fullMicros?: number
}

const TOTAL = Buffer.from(' total=', 'latin1')

function startsWith(data: Uint8Array, at: number, end: number, word: string): boolean {
  if (at + word.length >= end) return false
  for (let i = 0; i < word.length; i++) if (data[at + i] !== word.charCodeAt(i)) return false
  return data[at + word.length] === 32
}

/** Parses data[start, end): one file's bytes, wherever they sit in the read buffer. */
export function parsePressure(data: Uint8Array, start: number, end: number, file: string): PressureTotals {
  let someMicros: number | undefined
  let fullMicros: number | undefined
  let lineStart = start
  let lineNumber = 0
  while (lineStart < end) {
    const lineEnd = indexOf(data, 10, lineStart, end)
    lineNumber++
    const some = startsWith(data, lineStart, lineEnd, 'some')
    const full = !some && startsWith(data, lineStart, lineEnd, 'full')
    if (some || full) {
      const at = Buffer.from(data.buffer, data.byteOffset + lineStart, lineEnd - lineStart).indexOf(TOTAL)
      const total = at === -1 ? undefined : parseInteger(data, lineStart + at + TOTAL.length, lineEnd)
      if (total === undefined)
        throw new ParseError(file, lineNumber, lineText(data, lineStart, lineEnd), 'expected "some|full ... total=N"')
      if ((some ? someMicros : fullMicros) !== undefined) {
        throw new ParseError(file, lineNumber, lineText(data, lineStart, lineEnd), `a second "${some ? 'some' : 'full'}" line`)
      }
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
