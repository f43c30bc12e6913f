// /proc/PID/status: one `Key:<TAB>value` line per field (fs/proc/array.c, proc_pid_status).
//   Name:	qemu-img
//   VmRSS:	   51200 kB
//   RssAnon:	    4096 kB
// Kernel doc: Documentation/filesystems/proc.rst, "Contents of the status fields".
//
// Runs for every process on a node every cycle, so it works on the bytes as read: each line
// is recognised by its first byte and a short prefix compare, and only five keys are looked at.
// Only `Name` (the comm) is kept as text: command lines and environments can hold secrets and
// are never read. Kernel threads print no Vm*/Rss* lines: those fields are then absent, not 0.
// A final line without its newline is ignored: a value cut short by a small read buffer would
// be a wrong number, and absent is honest.
import { ParseError } from '../kernel/errors.js'
import { parseInteger } from '../kernel/parse-number.js'

export interface ProcStatus {
  /** `Name:`, the task's comm (at most 15 bytes in the kernel), unescaped. */
  readonly comm?: string
  readonly vmRssBytes?: number
  readonly rssAnonBytes?: number
  readonly rssFileBytes?: number
  readonly rssShmemBytes?: number
}

const NEWLINE = 10
const TAB = 9
const SPACE = 32
const BACKSLASH = 92

const NAME = Buffer.from('Name:', 'latin1')
const VM_RSS = Buffer.from('VmRSS:', 'latin1')
const RSS_ANON = Buffer.from('RssAnon:', 'latin1')
const RSS_FILE = Buffer.from('RssFile:', 'latin1')
const RSS_SHMEM = Buffer.from('RssShmem:', 'latin1')
const THREADS = Buffer.from('Threads:', 'latin1')

function startsWith(data: Uint8Array, at: number, end: number, prefix: Uint8Array): boolean {
  if (end - at < prefix.length) return false
  for (let i = 0; i < prefix.length; i++) if (data[at + i] !== prefix[i]) return false
  return true
}

function isBlank(byte: number | undefined): boolean {
  return byte === SPACE || byte === TAB
}

/** Most kB a line may say: 2^53 kB is 2^63 bytes, more than any kernel can count. */
const MAX_KILOBYTES = 2 ** 53

/** `   51200 kB` → bytes, or undefined when the line is not that shape or the number is absurd. */
function parseKilobytes(data: Uint8Array, start: number, end: number): number | undefined {
  let i = start
  while (i < end && isBlank(data[i])) i++
  const digits = i
  while (i < end && (data[i] ?? 0) >= 48 && (data[i] ?? 0) <= 57) i++
  const value = parseInteger(data, digits, i)
  if (value === undefined || value >= MAX_KILOBYTES) return undefined
  if (data[i] !== SPACE || data[i + 1] !== 107 /* k */ || data[i + 2] !== 66 /* B */ || i + 3 > end) return undefined
  for (i += 3; i < end; i++) if (!isBlank(data[i])) return undefined
  return value * 1024
}

/** The kernel escapes only `\n` and `\` in Name (seq_escape_str with "\n\\"). */
function parseName(data: Uint8Array, start: number, end: number): string {
  let i = start
  if (data[i] === TAB) i++
  const raw = Buffer.from(data.buffer, data.byteOffset + i, end - i)
  if (!raw.includes(BACKSLASH)) return raw.toString('utf8')
  const out: number[] = []
  for (let j = 0; j < raw.length; j++) {
    const byte = raw[j] ?? 0
    const next = raw[j + 1]
    if (byte === BACKSLASH && next === 110 /* n */) {
      out.push(NEWLINE)
      j++
    } else if (byte === BACKSLASH && next === BACKSLASH) {
      out.push(BACKSLASH)
      j++
    } else out.push(byte)
  }
  return Buffer.from(out).toString('utf8')
}

/** Parses data[start, end), the bytes of one status file; `file` names it in errors. */
export function parseStatus(data: Uint8Array, start: number, end: number, file: string): ProcStatus {
  let comm: string | undefined
  let vmRssBytes: number | undefined
  let rssAnonBytes: number | undefined
  let rssFileBytes: number | undefined
  let rssShmemBytes: number | undefined
  let lineStart = start
  let lineNumber = 0
  while (lineStart < end) {
    const newline = data.indexOf(NEWLINE, lineStart)
    if (newline === -1 || newline >= end) break
    lineNumber++
    const first = data[lineStart]
    let prefix: Uint8Array | undefined
    // The memory lines come before Threads: (task_mem, then task_threads), and a kernel
    // thread has none, so there is nothing of ours after it.
    if (first === 84 /* T */ && startsWith(data, lineStart, newline, THREADS)) break
    if (first === 78 /* N */ && startsWith(data, lineStart, newline, NAME)) {
      comm = parseName(data, lineStart + NAME.length, newline)
    } else if (first === 86 /* V */ && startsWith(data, lineStart, newline, VM_RSS)) prefix = VM_RSS
    else if (first === 82 /* R */) {
      if (startsWith(data, lineStart, newline, RSS_ANON)) prefix = RSS_ANON
      else if (startsWith(data, lineStart, newline, RSS_FILE)) prefix = RSS_FILE
      else if (startsWith(data, lineStart, newline, RSS_SHMEM)) prefix = RSS_SHMEM
    }
    if (prefix !== undefined) {
      const bytes = parseKilobytes(data, lineStart + prefix.length, newline)
      if (bytes === undefined) {
        const line = Buffer.from(data.buffer, data.byteOffset + lineStart, newline - lineStart).toString('latin1')
        throw new ParseError(file, lineNumber, line, 'expected "<number> kB"')
      }
      if (prefix === VM_RSS) vmRssBytes = bytes
      else if (prefix === RSS_ANON) rssAnonBytes = bytes
      else if (prefix === RSS_FILE) rssFileBytes = bytes
      else {
        // RssShmem is the last of ours in the kernel's order: the rest of the file is not.
        rssShmemBytes = bytes
        break
      }
    }
    lineStart = newline + 1
  }
  return { comm, vmRssBytes, rssAnonBytes, rssFileBytes, rssShmemBytes }
}
