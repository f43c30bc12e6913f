// Flat keyed files: one `key value` pair per line.
//   memory.stat (v1):   total_dirty 22020096
//   memory.stat (v2):   file_dirty 86016
//   memory.events (v2): oom_kill 2        memory.oom_control (v1): under_oom 0
// Kernel doc: Documentation/admin-guide/cgroup-v2.rst "Format" (flat keyed) and
// Documentation/admin-guide/cgroup-v1/memory.rst §5.2.
// Only the keys asked for are parsed, so a new kernel's new keys never break us; a line
// that is not `key value` at all, or a wanted key whose value is not an integer, is an error.
import { ParseError } from '../errors.js'
import { parseInteger } from './parse-number.js'

export type FlatKeyed = ReadonlyMap<string, number>

export function parseFlatKeyed(text: string, file: string, wanted: ReadonlySet<string>): FlatKeyed {
  const out = new Map<string, number>()
  let lineStart = 0
  let lineNumber = 0
  while (lineStart < text.length) {
    let lineEnd = text.indexOf('\n', lineStart)
    if (lineEnd === -1) lineEnd = text.length
    lineNumber++
    if (lineEnd > lineStart) {
      const space = text.indexOf(' ', lineStart)
      if (space === -1 || space >= lineEnd || space === lineStart) {
        throw new ParseError(file, lineNumber, text.slice(lineStart, lineEnd), 'expected "key value"')
      }
      const key = text.slice(lineStart, space)
      if (wanted.has(key)) {
        const value = parseInteger(text, space + 1, lineEnd)
        if (value === undefined) {
          throw new ParseError(file, lineNumber, text.slice(lineStart, lineEnd), `value of ${key} is not an integer`)
        }
        out.set(key, value)
      }
    }
    lineStart = lineEnd + 1
  }
  return out
}
