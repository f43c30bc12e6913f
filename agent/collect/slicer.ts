// Long synchronous work in slices: call maybeYield() between small steps and the event loop
// gets a turn whenever the current slice has run for sliceMs. Keeps /healthz and scrapes
// answered while a cycle reads thousands of cgroups.
import { setImmediate as yieldToEventLoop } from 'node:timers/promises'

export const DEFAULT_SLICE_MS = 2

export class Slicer {
  #sliceStart = performance.now()
  constructor(readonly sliceMs = DEFAULT_SLICE_MS) {}

  async maybeYield(): Promise<void> {
    if (performance.now() - this.#sliceStart < this.sliceMs) return
    await yieldToEventLoop()
    this.#sliceStart = performance.now()
  }
}
