// Deterministic randomness for the trees, so a seed gives the same tree every time.

export type Random = () => number

/** mulberry32: small, fast, good enough for varying numbers and ids. */
export function rng(seed: number): Random {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export function hex(rand: Random, n: number): string {
  let s = ''
  for (let i = 0; i < n; i++) s += ((rand() * 16) | 0).toString(16)
  return s
}

/** A random v4 UUID, as the API server gives pods. */
export function dashedUid(rand: Random): string {
  const h = hex(rand, 32)
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20)}`
}
