// Errors are `unknown`; these small guards narrow them without `any`.

export function errorCode(er: unknown): string | undefined {
  if (typeof er === 'object' && er !== null && 'code' in er) return typeof er.code === 'string' ? er.code : undefined
  return undefined
}

export function errorMessage(er: unknown): string {
  return er instanceof Error ? er.message : String(er)
}

/** The codes of a cgroup (or process) that went away between discovery and reading. */
export const GONE_CODES: ReadonlySet<string> = new Set(['ENOENT', 'ESRCH', 'ENODEV', 'ENOTDIR'])

/** A cgroup (or process) that went away between discovery and reading: a normal state. */
export function isGone(er: unknown): boolean {
  const code = errorCode(er)
  return code !== undefined && GONE_CODES.has(code)
}

/**
 * The command cannot run as asked: a wrong flag or value, no memory cgroup hierarchy, no
 * Kubernetes credentials. main prints the message on one line and exits 2.
 */
export class UsageError extends Error {
  override readonly name: string = 'UsageError'
}

/** Kernel content we could not make sense of. Names the file and quotes the line. */
export class ParseError extends Error {
  readonly code = 'EPARSE'
  constructor(
    readonly file: string,
    readonly lineNumber: number,
    readonly line: string,
    reason: string,
  ) {
    super(`${file}:${lineNumber}: ${reason}: ${JSON.stringify(line.length > 120 ? line.slice(0, 120) + '…' : line)}`)
    this.name = 'ParseError'
  }
}

/**
 * A file the readers refuse (kernel/fs.ts): not a regular file (a FIFO would block open() or
 * read() for good, a device never ends), or longer than the cap. cgroupfs and procfs files are
 * always regular and small, so either means something else was put where a kernel file
 * belongs. `code` is ENOTREG (ours; no errno says it) or EFBIG.
 */
export class RefusedFileError extends Error {
  constructor(
    readonly code: 'ENOTREG' | 'EFBIG',
    readonly path: string,
    why: string,
  ) {
    super(`${code}: ${why}, refused '${path}'`)
    this.name = 'RefusedFileError'
  }
}

/** Why a cgroup could not be read this cycle; the `reason` label of memlens_collect_errors_total. */
export const ERROR_REASONS = ['parse', 'permission', 'io', 'discovery'] as const
export type ErrorReason = (typeof ERROR_REASONS)[number]

export function errorReason(er: unknown): ErrorReason {
  if (er instanceof ParseError) return 'parse'
  const code = errorCode(er)
  if (code === 'EACCES' || code === 'EPERM') return 'permission'
  return 'io'
}
