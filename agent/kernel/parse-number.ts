// Integers as the kernel prints them in cgroupfs and procfs: unsigned decimal ASCII (memory.*
// values are printed with %lu/%llu; the kernel clamps the per-cpu sums that could dip below
// zero before printing them). Parsed straight from the bytes read, with no string in between:
// this runs ~100,000 times a cycle.
//
// What the kernel cannot print is not a number: a sign, and anything at or above 2^63 (30
// digits, or enough of them to make Infinity). The largest value a kernel prints for memory
// is v1's "unlimited": 9223372036854771712 (PAGE_COUNTER_MAX pages) today, 2^63 - 1 from 3.x's
// res_counter. Values above 2^53 lose precision as JS numbers; only those sentinels get there.

/** 2^63 - 1, the largest integer accepted, as the kernel prints it. */
const MAX_DIGITS = Buffer.from('9223372036854775807', 'latin1')

/** Parses data[start, end) as an unsigned decimal integer below 2^63, or returns undefined. */
export function parseInteger(data: Uint8Array, start: number, end: number): number | undefined {
  if (start >= end) return undefined
  let value = 0
  for (let i = start; i < end; i++) {
    const digit = (data[i] ?? 0) - 48
    if (digit < 0 || digit > 9) return undefined
    value = value * 10 + digit
  }
  // 2^63 - 1 itself rounds to 2^63 as a double, so the digits decide near the top.
  return value < 9e18 || fitsBelow2p63(data, start, end) ? value : undefined
}

/** Whether the digits data[start, end) are at most 9223372036854775807 (leading zeros allowed). */
function fitsBelow2p63(data: Uint8Array, start: number, end: number): boolean {
  let i = start
  while (i < end - 1 && data[i] === 48) i++
  const length = end - i
  if (length !== MAX_DIGITS.length) return length < MAX_DIGITS.length
  for (let j = 0; j < length; j++) {
    const d = data[i + j] ?? 0
    const m = MAX_DIGITS[j] ?? 0
    if (d !== m) return d < m
  }
  return true
}

/** The bytes of one line, for error messages (kernel files are ASCII). */
export function lineText(data: Uint8Array, start: number, end: number): string {
  return Buffer.from(data.buffer, data.byteOffset + start, end - start).toString('latin1')
}

/** Index of the first `byte` in data[from, end), or end. */
export function indexOf(data: Uint8Array, byte: number, from: number, end: number): number {
  const at = data.indexOf(byte, from)
  return at === -1 || at > end ? end : at
}
