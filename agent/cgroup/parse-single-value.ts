// Single-value files: one integer, or `max` for "no limit".
//   memory.current: 7696384        memory.max: max        memory.limit_in_bytes: 9223372036854771712
// Kernel doc: Documentation/admin-guide/cgroup-v2.rst "Format" (single value).
import { ParseError } from '../errors.js'
import { lineText, parseInteger } from './parse-number.js'

export const UNLIMITED = 'max'
export type SingleValue = number | typeof UNLIMITED

export function parseSingleValue(data: Uint8Array, length: number, file: string): SingleValue {
  let end = length
  while (end > 0 && (data[end - 1] === 10 || data[end - 1] === 32)) end--
  if (end === 3 && data[0] === 109 /* m */ && data[1] === 97 /* a */ && data[2] === 120 /* x */) return UNLIMITED
  const value = parseInteger(data, 0, end)
  if (value === undefined) throw new ParseError(file, 1, lineText(data, 0, end), 'expected an integer or "max"')
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
