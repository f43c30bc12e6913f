/** The `code` of a system error (ENOENT, EBUSY, ...), undefined for anything else. */
export function errorCode(er: unknown): string | undefined {
  if (typeof er !== 'object' || er === null || !('code' in er)) return undefined
  return typeof er.code === 'string' ? er.code : undefined
}

export function errorMessage(er: unknown): string {
  return er instanceof Error ? er.message : String(er)
}
