// The timer seam: retry delays and watch deadlines go through a Schedule so tests can run
// them on a fake clock or with tiny delays.

/** Runs fn after ms; returns a function that cancels it if it has not run yet. */
export type Schedule = (fn: () => void, ms: number) => () => void

/** Real timers, unref'd: a pending retry alone must not keep the process alive. */
export const realSchedule: Schedule = (fn, ms) => {
  const timer = setTimeout(fn, ms)
  timer.unref()
  return () => clearTimeout(timer)
}
