// Integers as the kernel prints them in cgroupfs: decimal ASCII, optionally negative (a few
// per-cpu summed counters can dip below zero for an instant on older kernels). Parsed
// straight from the bytes read, with no string in between: this runs ~100,000 times a cycle.
// Values above 2^53 lose precision as JS numbers; only "unlimited" sentinels get there.

/** Parses data[start, end) as a decimal integer, or returns undefined if it is not one. */
export function parseInteger(data: Uint8Array, start: number, end: number): number | undefined {
  let i = start
  let negative = false
  if (i < end && data[i] === 45 /* - */) {
    negative = true
    i++
  }
  if (i === end) return undefined
  let value = 0
  for (; i < end; i++) {
    const digit = (data[i] ?? 0) - 48
    if (digit < 0 || digit > 9) return undefined
    value = value * 10 + digit
  }
  return negative ? -value : value
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
