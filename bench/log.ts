// Progress goes to stderr, so stdout holds only the report.
export const log = (msg: string): void => void process.stderr.write(`[bench] ${msg}\n`)
