/** What fn throws, or undefined when it returns: for asserting on the error itself. */
export function thrownBy(fn: () => unknown): unknown {
  try {
    fn()
  } catch (er) {
    return er
  }
  return undefined
}
