// One named step of a run: timed and logged; a failure is recorded in `errors` and the run
// goes on with what it has (the step's value is then undefined).
import { errorMessage } from './errors.js'
import { log } from './log.js'

export async function step<T>(errors: string[], scope: string, name: string, fn: () => T | Promise<T>): Promise<T | undefined> {
  const t0 = performance.now()
  try {
    const r = await fn()
    log(`${scope} ${name}: ${((performance.now() - t0) / 1000).toFixed(1)} s`)
    return r
  } catch (er) {
    const msg = errorMessage(er)
    errors.push(`${scope} ${name}: ${msg}`)
    log(`${scope} ${name} FAILED: ${msg}`)
    return undefined
  }
}
