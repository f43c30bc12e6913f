// Timers whose clock moves only when the test says so: a polling loop under test runs its
// cycles at once instead of sleeping through real intervals (agent/collect/timers.ts).
import type { Timers } from '../../agent/collect/timers.js'

interface Pending {
  readonly at: number
  readonly fn: () => void
}

export class FakeTimers implements Timers {
  #now = 0
  #next = 1
  readonly #pending = new Map<number, Pending>()

  now(): number {
    return this.#now
  }

  setTimeout(fn: () => void, ms: number): number {
    const id = this.#next++
    this.#pending.set(id, { at: this.#now + Math.max(0, ms), fn })
    return id
  }

  clearTimeout(handle: unknown): void {
    if (typeof handle === 'number') this.#pending.delete(handle)
  }

  /** Timers still waiting to fire. */
  get pending(): number {
    return this.#pending.size
  }

  /** Moves the clock forward by ms, firing every timer that falls due, in order. */
  advance(ms: number): void {
    const until = this.#now + ms
    for (;;) {
      const due = [...this.#pending].filter(([, p]) => p.at <= until).sort((a, b) => a[1].at - b[1].at)[0]
      if (due === undefined) break
      this.#pending.delete(due[0])
      this.#now = due[1].at
      due[1].fn()
    }
    this.#now = until
  }
}
