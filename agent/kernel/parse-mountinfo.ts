// /proc/PID/mountinfo (kernel doc filesystems/proc.rst §3.5), pure: text in, entries out.
import { ParseError } from './errors.js'

export interface MountEntry {
  readonly mountId: number
  /** The directory of the mounted filesystem that appears at mountPoint (`/` unless a bind). */
  readonly root: string
  readonly mountPoint: string
  readonly fsType: string
  readonly source: string
  readonly superOptions: readonly string[]
}

/**
 * Parses /proc/PID/mountinfo:
 *
 *   30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
 *   34 30 0:31 / /sys/fs/cgroup/memory rw,relatime shared:9 - cgroup cgroup rw,memory
 *   40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
 *
 * A line we cannot parse is skipped when it cannot be a cgroup mount (it does not mention
 * "cgroup"): one odd mount must not stop the agent. One that mentions cgroup throws a
 * ParseError, because it may be exactly the mount we are asked to confirm.
 * Fields past the three after the `-` separator are ignored, so a new kernel does not break us.
 */
export function parseMountinfo(text: string, file = 'mountinfo'): MountEntry[] {
  const entries: MountEntry[] = []
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? ''
    if (line.trim() === '') continue
    const entry = parseMountLine(line)
    if (typeof entry !== 'string') entries.push(entry)
    else if (line.includes('cgroup')) throw new ParseError(file, i + 1, line, entry)
  }
  return entries
}

/** One mountinfo line, or the reason it is malformed. */
function parseMountLine(line: string): MountEntry | string {
  const fields = line.split(' ')
  const sep = fields.indexOf('-', 6)
  if (sep < 0) return 'no " - " separator after the six leading fields'
  if (fields.length < sep + 4) return 'fewer than three fields after the separator'
  // Number() would take '', ' ', '-1', '1e3' and '0x10'; the kernel prints plain digits.
  const id = fields[0] ?? ''
  const mountId = /^\d{1,15}$/.test(id) ? Number(id) : Number.NaN
  if (!Number.isInteger(mountId)) return 'mount ID is not an integer'
  return {
    mountId,
    root: unescapeOctal(fields[3] ?? ''),
    mountPoint: unescapeOctal(fields[4] ?? ''),
    fsType: fields[sep + 1] ?? '',
    source: unescapeOctal(fields[sep + 2] ?? ''),
    superOptions: (fields[sep + 3] ?? '').split(','),
  }
}

// The kernel writes space, tab, newline and backslash in paths as \040, \011, \012, \134.
function unescapeOctal(s: string): string {
  return s.includes('\\') ? s.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8))) : s
}
