// The few statistics the report needs. Empty input gives NaN, which the formatters print
// as "n/a", so a measurement that made no samples never looks like a zero.

/** Nearest-rank quantile: the p99 of 500 samples is the 495th smallest. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN
  const s = [...values].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] ?? NaN
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN
  const s = [...values].sort((a, b) => a - b)
  const m = s.length >> 1
  const hi = s[m] ?? NaN
  return s.length % 2 === 1 ? hi : ((s[m - 1] ?? NaN) + hi) / 2
}

export function max(values: readonly number[]): number {
  return values.length === 0 ? NaN : Math.max(...values)
}

export function min(values: readonly number[]): number {
  return values.length === 0 ? NaN : Math.min(...values)
}

/** x / y, NaN unless both are finite and y is not 0. */
export function ratio(x: number, y: number): number {
  return Number.isFinite(x) && Number.isFinite(y) && y !== 0 ? x / y : NaN
}

export interface LinearFit {
  /** y at x = 0: the fixed part. */
  readonly intercept: number
  /** dy/dx: the part that grows with x. */
  readonly slope: number
}

/** Least-squares line through (x, y) points; NaN without two distinct finite x values. */
export function linearFit(points: readonly (readonly [number, number])[]): LinearFit {
  const ok = points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y))
  const n = ok.length
  const mx = ok.reduce((a, [x]) => a + x, 0) / n
  const my = ok.reduce((a, [, y]) => a + y, 0) / n
  let sxx = 0
  let sxy = 0
  for (const [x, y] of ok) {
    sxx += (x - mx) ** 2
    sxy += (x - mx) * (y - my)
  }
  if (n < 2 || sxx === 0) return { intercept: NaN, slope: NaN }
  const slope = sxy / sxx
  return { intercept: my - slope * mx, slope }
}
