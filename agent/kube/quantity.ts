// Kubernetes resource quantities as they appear in a pod spec: `128Mi`, `1G`, `500M`, `1e9`,
// `1.5Gi`, `100m`. Grammar (k8s.io/apimachinery/pkg/api/resource/quantity.go):
//   <quantity> ::= <sign>? <number> <suffix>
//   <number>   ::= <digits> | <digits>.<digits> | <digits>. | .<digits>
//   <suffix>   ::= Ki | Mi | Gi | Ti | Pi | Ei | m | "" | k | M | G | T | P | E | (e|E) <sign>? <digits>
// Arithmetic is exact (BigInt) because `1.1G` in floating point is 1100000000.0000002, which
// would round up to one byte too many.

const BINARY_SUFFIXES: Readonly<Record<string, number>> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 }
const DECIMAL_SUFFIXES: Readonly<Record<string, number>> = { m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 }

// Exponents beyond this are not real resource sizes; refusing them keeps BigInt work bounded.
const MAX_EXPONENT = 1000

const NUMBER = /^([+-]?)(\d*)(?:\.(\d*))?(.*)$/
const EXPONENT = /^[eE]([+-]?\d+)$/

/**
 * The integer value of a quantity, rounded up as `resource.Quantity.Value()` rounds it
 * (so `100m` bytes is 1 byte, as kubelet would set it). Negative quantities keep their sign
 * and round away from zero. Undefined when the text is not a quantity.
 */
export function parseQuantity(text: string): number | undefined {
  const m = NUMBER.exec(text.trim())
  if (m === null) return undefined
  const [, sign = '', whole = '', fraction, suffix = ''] = m
  const fractionDigits = fraction ?? ''
  if (whole === '' && fractionDigits === '') return undefined

  let exp10 = -fractionDigits.length
  let exp2 = 0
  const binary = BINARY_SUFFIXES[suffix]
  const decimal = DECIMAL_SUFFIXES[suffix]
  if (binary !== undefined) exp2 = binary
  else if (decimal !== undefined) exp10 += decimal
  else {
    // `E` alone is exa; `E` or `e` followed by digits is an exponent.
    const e = EXPONENT.exec(suffix)
    if (e === null || e[1] === undefined) return undefined
    const exponent = Number(e[1])
    if (Math.abs(exponent) > MAX_EXPONENT) return undefined
    exp10 += exponent
  }

  let numerator = BigInt(whole + fractionDigits) * 2n ** BigInt(exp2)
  let denominator = 1n
  if (exp10 >= 0) numerator *= 10n ** BigInt(exp10)
  else denominator = 10n ** BigInt(-exp10)
  const rounded = (numerator + denominator - 1n) / denominator
  return sign === '-' && rounded !== 0n ? -Number(rounded) : Number(rounded)
}
