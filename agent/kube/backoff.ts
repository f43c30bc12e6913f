// Capped exponential backoff with jitter for retrying the API server: 1 s doubling to 60 s,
// each delay spread ±20% so that the agents of every node do not retry in lockstep after an
// API server outage.

export interface BackoffOptions {
  readonly initialMs: number
  readonly maxMs: number
  readonly factor: number
  /** Fraction of the delay added or removed at random: 0.2 spreads 10 s over 8–12 s. */
  readonly jitter: number
}

export const DEFAULT_BACKOFF: BackoffOptions = Object.freeze({ initialMs: 1000, maxMs: 60_000, factor: 2, jitter: 0.2 })

export class Backoff {
  #failures = 0
  readonly #options: BackoffOptions
  readonly #random: () => number

  /** random: uniform in [0, 1), like Math.random; injected so tests can pin the jitter. */
  constructor(options: BackoffOptions, random: () => number = Math.random) {
    this.#options = options
    this.#random = random
  }

  /** The delay before the next retry; each call counts one more consecutive failure. */
  next(): number {
    const { initialMs, maxMs, factor, jitter } = this.#options
    const base = Math.min(maxMs, initialMs * factor ** this.#failures)
    // Stop growing the exponent once capped, so it never overflows to Infinity.
    if (base < maxMs) this.#failures++
    return Math.max(0, Math.round(base * (1 + jitter * (2 * this.#random() - 1))))
  }

  /** After a success: the next failure starts again from the initial delay. */
  reset(): void {
    this.#failures = 0
  }
}
