// The terminal `memlens top` draws on: what it needs of stdin and stdout (process streams fit,
// as do PassThroughs in tests), the escape sequences it writes, and its size.

/** What runTop needs of stdin: process.stdin fits, as does a PassThrough in tests. */
export interface TopInput {
  readonly isTTY?: boolean
  setRawMode?(mode: boolean): unknown
  on(event: 'data', listener: (chunk: Buffer | string) => void): unknown
  off(event: 'data', listener: (chunk: Buffer | string) => void): unknown
  pause?(): unknown
}

/** What runTop needs of stdout: process.stdout fits, as does a PassThrough in tests. */
export interface TopOutput {
  readonly isTTY?: boolean
  readonly columns?: number
  readonly rows?: number
  write(chunk: string): unknown
  on(event: 'resize', listener: () => void): unknown
  on(event: 'error', listener: (er: Error) => void): unknown
  off(event: 'resize', listener: () => void): unknown
  off(event: 'error', listener: (er: Error) => void): unknown
}

export const ESC = '\u001b['
export const ANSI = {
  enterAltScreen: `${ESC}?1049h`,
  leaveAltScreen: `${ESC}?1049l`,
  hideCursor: `${ESC}?25l`,
  showCursor: `${ESC}?25h`,
  home: `${ESC}H`,
  clearLine: `${ESC}K`,
  clearBelow: `${ESC}J`,
  inverse: `${ESC}7m`,
  reset: `${ESC}0m`,
} as const

export const DEFAULT_COLUMNS = 80
export const DEFAULT_ROWS = 24

function positive(n: number | undefined, fallback: number): number {
  return n !== undefined && Number.isFinite(n) && n > 0 ? Math.floor(n) : fallback
}

/** The output's size, with the classic 80x24 where it does not say (a pipe). */
export function terminalSize(output: TopOutput): { readonly columns: number; readonly rows: number } {
  return { columns: positive(output.columns, DEFAULT_COLUMNS), rows: positive(output.rows, DEFAULT_ROWS) }
}
