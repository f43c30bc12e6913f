// Integers as the kernel prints them in cgroupfs: decimal, optionally negative (a few
// per-cpu summed counters can dip below zero for an instant on older kernels).
// Values above 2^53 lose precision as JS numbers; only "unlimited" sentinels get there.

/** Parses text[start, end) as a decimal integer, or returns undefined if it is not one. */
export function parseInteger(text: string, start = 0, end = text.length): number | undefined {
  let i = start
  let negative = false
  if (i < end && text.charCodeAt(i) === 45 /* - */) {
    negative = true
    i++
  }
  if (i === end) return undefined
  let value = 0
  for (; i < end; i++) {
    const digit = text.charCodeAt(i) - 48
    if (digit < 0 || digit > 9) return undefined
    value = value * 10 + digit
  }
  return negative ? -value : value
}
