// An append-only byte buffer for the exposition text, reused across cycles so rendering
// 50,000 series allocates almost nothing: the strings it is fed are mostly cached Buffers.

export class ByteWriter {
  #buf: Buffer
  #len = 0

  constructor(initialBytes = 1 << 20) {
    this.#buf = Buffer.allocUnsafe(initialBytes)
  }

  get length(): number {
    return this.#len
  }

  reset(): void {
    this.#len = 0
  }

  #ensure(extra: number): void {
    const need = this.#len + extra
    if (need <= this.#buf.length) return
    let size = this.#buf.length * 2
    while (size < need) size *= 2
    const bigger = Buffer.allocUnsafe(size)
    this.#buf.copy(bigger, 0, 0, this.#len)
    this.#buf = bigger
  }

  bytes(b: Uint8Array): void {
    this.#ensure(b.length)
    this.#buf.set(b, this.#len)
    this.#len += b.length
  }

  /** Text that may hold any character (label values, help). */
  text(s: string): void {
    this.#ensure(Buffer.byteLength(s))
    this.#len += this.#buf.write(s, this.#len, 'utf8')
  }

  byte(c: number): void {
    this.#ensure(1)
    this.#buf[this.#len++] = c
  }

  /** A sample value as the text format writes it. */
  number(value: number): void {
    if (Number.isSafeInteger(value) && value >= 0) {
      // The common case: byte counts and counters, digits written in place.
      let digits = 1
      for (let v = value; v >= 10; v = Math.floor(v / 10)) digits++
      this.#ensure(digits)
      let v = value
      for (let i = this.#len + digits - 1; i >= this.#len; i--) {
        this.#buf[i] = 48 + (v % 10)
        v = Math.floor(v / 10)
      }
      this.#len += digits
      return
    }
    this.text(Number.isFinite(value) ? String(value) : Number.isNaN(value) ? 'NaN' : value > 0 ? '+Inf' : '-Inf')
  }

  /** What was written since the last take, as a view valid until the next write; resets. */
  take(): Buffer {
    const view = this.#buf.subarray(0, this.#len)
    this.#len = 0
    return view
  }
}
