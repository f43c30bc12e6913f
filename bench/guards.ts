/** A plain object (what JSON.parse gives for `{...}`), to read fields of `unknown` safely. */
export const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x)
