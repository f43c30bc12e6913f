// Single-value files: one integer, or `max` for "no limit".
//   memory.current: 7696384        memory.max: max        memory.limit_in_bytes: 9223372036854771712
// Kernel doc: Documentation/admin-guide/cgroup-v2.rst "Format" (single value).
import { ParseError } from './errors.js'
import { lineText, parseInteger } from './parse-number.js'

export const UNLIMITED = 'max'
export type SingleValue = number | typeof UNLIMITED

/** Parses data[start, end): one file's bytes, wherever they sit in the read buffer. */
export function parseSingleValue(data: Uint8Array, start: number, end: number, file: string): SingleValue {
  let last = end
  while (last > start && (data[last - 1] === 10 || data[last - 1] === 32)) last--
  if (last - start === 3 && data[start] === 109 /* m */ && data[start + 1] === 97 /* a */ && data[start + 2] === 120 /* x */)
    return UNLIMITED
  const value = parseInteger(data, start, last)
  if (value === undefined) throw new ParseError(file, 1, lineText(data, start, last), 'expected an integer in [0, 2^63) or "max"')
  return value
}

/**
 * v1 writes "no limit" as PAGE_COUNTER_MAX in bytes (9223372036854771712 on 4 KiB pages,
 * other values on other page sizes); anything at or above 2^62 is no limit in practice.
 */
export const V1_UNLIMITED_FLOOR = 2 ** 62

export function limitOrUndefined(value: SingleValue): number | undefined {
  if (value === UNLIMITED || value >= V1_UNLIMITED_FLOOR) return undefined
  return value
}
