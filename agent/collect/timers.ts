// The clock and timers the polling loop runs on, injectable so tests step time instead of
// sleeping in it (test/helpers/fake-timers.ts).

export interface Timers {
  /** Monotonic milliseconds, as performance.now(). */
  now(): number
  setTimeout(fn: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}

export const REAL_TIMERS: Timers = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
}
