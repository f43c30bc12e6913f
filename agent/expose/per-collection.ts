// What the HTTP server sends is derived from the latest collection: the /metrics body, the
// snapshot JSON. Deriving it costs (a render, a 2 MB JSON.stringify), so it is done when a
// request first asks for it, once per collection, and every request until the next
// collection shares the result. Nobody scraping costs nothing; a thousand requests cost one.

export class PerCollection<S, T> {
  readonly #derive: (source: S) => T | Promise<T>
  #source: S | undefined
  #value: Promise<T> | undefined
  /** Derivations run one after another: a renderer may reuse its buffers. */
  #queue: Promise<unknown> = Promise.resolve()
  #derived = 0

  constructor(derive: (source: S) => T | Promise<T>) {
    this.#derive = derive
  }

  /** A new source (a collection): what was derived from the previous one is dropped. */
  set(source: S): void {
    this.#source = source
    this.#value = undefined
  }

  /** Whether a source has been set. */
  get ready(): boolean {
    return this.#source !== undefined
  }

  /** How many times the value was derived (tests, logs). */
  get derived(): number {
    return this.#derived
  }

  /** The value for the latest source, derived now or shared; undefined before any source. */
  get(): Promise<T> | undefined {
    const source = this.#source
    if (source === undefined) return undefined
    if (this.#value !== undefined) return this.#value
    const value = this.#queue.then(() => {
      this.#derived++
      return this.#derive(source)
    })
    this.#queue = value.catch(() => undefined)
    this.#value = value
    // A failure is not kept: the next request tries again.
    value.catch(() => {
      if (this.#value === value) this.#value = undefined
    })
    return value
  }
}
