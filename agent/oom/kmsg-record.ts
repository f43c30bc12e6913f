// One record of /dev/kmsg, as one read() returns it (kernel/printk/printk.c, devkmsg_read):
//   6,398,239387817,-;Memory cgroup stats for /kubepods/burstable/pod1234/abcd:
//   3,445,239387891,-,caller=T2692;Memory cgroup out of memory: Killed process 2692 (dd) ...
//   5,337,1220217,-;virtio_blk virtio1: [vda] new size: ...\n SUBSYSTEM=virtio\n DEVICE=+virtio:virtio1
// Kernel doc: Documentation/ABI/testing/dev-kmsg.
//
// The header is `PRIORITY,SEQNUM,TIMESTAMP_US,FLAGS` and may grow more comma-separated fields
// before the `;` (CONFIG_PRINTK_CALLER adds `caller=`): those are skipped, as the doc asks.
// The kernel escapes bytes below 0x20, from 0x7f up, and `\` itself as `\xNN`, so a message
// printed with embedded newlines (v2 memory.stat on Linux 5.x) arrives as one line holding
// `\x0a`; it is unescaped here and the reader splits it. Lines after the first that start
// with a space are the record's dictionary (`SUBSYSTEM=`, `DEVICE=`).
import { ParseError } from '../kernel/errors.js'
import { parseInteger } from '../kernel/parse-number.js'

export interface KmsgRecord {
  /** syslog priority: facility * 8 + level. */
  readonly priority: number
  /** 0 emerg … 3 err, 4 warning, 6 info, 7 debug. */
  readonly level: number
  /** 0 for the kernel; user space writes to /dev/kmsg come as 1 (user). */
  readonly facility: number
  readonly seq: number
  /** Microseconds since boot (CLOCK_MONOTONIC), not wall-clock time. */
  readonly timestampUs: number
  /** `-` a whole line; old kernels mark line fragments `c` (first) and `+` (following). */
  readonly flags: string
  /** Unescaped text; may hold newlines. */
  readonly message: string
  /** The ` KEY=VALUE` lines after the message. */
  readonly dict: Readonly<Record<string, string>>
}

export const KMSG_FILE = '/dev/kmsg'

function unescape(text: string): string {
  if (!text.includes('\\x')) return text
  const bytes: number[] = []
  for (let i = 0; i < text.length; i++) {
    const hex = text[i] === '\\' && text[i + 1] === 'x' ? text.slice(i + 2, i + 4) : ''
    if (/^[0-9a-fA-F]{2}$/.test(hex)) {
      bytes.push(Number.parseInt(hex, 16))
      i += 3
    } else bytes.push(text.charCodeAt(i) & 0xff)
  }
  // Escaped bytes of a multibyte character (a comm in UTF-8, say) join back up here.
  return Buffer.from(bytes).toString('utf8')
}

/** A field of the header: unsigned decimal, below 2^63 (the kernel's are u64 at most). */
function decimal(field: string | undefined): number | undefined {
  if (field === undefined || !/^\d{1,19}$/.test(field)) return undefined
  const bytes = Buffer.from(field, 'latin1')
  return parseInteger(bytes, 0, bytes.length)
}

/** Parses data[start, end), the bytes one read() of /dev/kmsg returned. */
export function parseKmsgRecord(data: Uint8Array, start: number, end: number): KmsgRecord {
  const text = Buffer.from(data.buffer, data.byteOffset + start, end - start).toString('latin1')
  const lines = text.split('\n')
  const first = lines[0] ?? ''
  const semicolon = first.indexOf(';')
  if (semicolon === -1) throw new ParseError(KMSG_FILE, 1, first, 'expected "PRIORITY,SEQNUM,TIMESTAMP,FLAGS;MESSAGE"')
  const fields = first.slice(0, semicolon).split(',')
  const priority = decimal(fields[0])
  const seq = decimal(fields[1])
  const timestampUs = decimal(fields[2])
  const flags = fields[3] ?? ''
  if (priority === undefined || seq === undefined || timestampUs === undefined || flags.length === 0) {
    throw new ParseError(KMSG_FILE, 1, first, 'expected "PRIORITY,SEQNUM,TIMESTAMP,FLAGS;MESSAGE"')
  }
  const dict: Record<string, string> = {}
  for (const line of lines.slice(1)) {
    if (!line.startsWith(' ')) continue
    const eq = line.indexOf('=')
    if (eq > 1) dict[unescape(line.slice(1, eq))] = unescape(line.slice(eq + 1))
  }
  return {
    priority,
    // Arithmetic, not bit operators: those work on 32 bits and turn a huge priority negative.
    level: priority % 8,
    facility: Math.floor(priority / 8),
    seq,
    timestampUs,
    flags,
    message: unescape(first.slice(semicolon + 1)),
    dict,
  }
}
