// The words of an explanation: what the cause means, what to do about it, and one message
// with the numbers that fits a Kubernetes Event (messages are cut at 1024 bytes). The advice
// per cause is listed in docs/oom.md "Advice"; keep the two together.
import type { OomCause, OomNumbers, OomScope } from './classify.js'

export const MESSAGE_MAX_BYTES = 1024

const MiB = 1024 * 1024

/** Bytes as MiB: one decimal below 10 MiB, whole above. */
export function mib(bytes: number): string {
  return bytes < 10 * MiB ? (bytes / MiB).toFixed(1) : Math.round(bytes / MiB).toString()
}

const SCOPE_TEXT: Record<OomScope, string> = {
  container: 'OOM-killed at the container memory limit',
  pod: "OOM-killed at the pod's memory limit (the container was below its own)",
  node: 'OOM-killed by a node-wide OOM (the container and the pod were below their limits)',
}

const CAUSE_TEXT: Record<OomCause, string> = {
  dirty_page_cache: 'written data waiting for the disk (dirty and writeback page cache) filled the memory faster than the disk took it',
  page_cache: 'file page cache filled the memory and was not reclaimed in time',
  anon: "the program's own memory (heap, stacks, anonymous mappings) filled it",
  shmem: 'shared memory (tmpfs, emptyDir with medium Memory, /dev/shm) filled it; those pages stay charged after the kill',
  kernel: 'kernel memory charged to the cgroup (socket buffers, slab, page tables) filled it',
  unknown: 'the samples before the kill were not enough to name a cause',
}

export const ADVICE: Record<OomCause, readonly string[]> = {
  dirty_page_cache: [
    'write with O_DIRECT so data bypasses the page cache (for example `qemu-img convert -t none`)',
    'set memory.high below the limit so the writer is throttled before the limit',
    'lower vm.dirty_bytes and vm.dirty_background_bytes so dirty pages are written out sooner',
    'fsync periodically while writing (and posix_fadvise DONTNEED what will not be read again)',
  ],
  page_cache: [
    'set memory.high below the limit so reclaim starts before the limit',
    'raise the limit',
    'drop cache that will not be read again (posix_fadvise DONTNEED) or read with O_DIRECT',
  ],
  anon: [
    'look for a leak in the largest process (a heap profile)',
    'raise the limit if this much memory is expected',
    'keep a runtime heap cap below the limit (JVM -Xmx, Node --max-old-space-size, GOMEMLIMIT)',
  ],
  shmem: [
    'size the tmpfs: an emptyDir sizeLimit (medium: Memory) or a tmpfs size= below the limit',
    'delete tmpfs and /dev/shm files when done: they are not freed by the kill',
    'raise the limit to cover the tmpfs',
  ],
  kernel: ['look for many sockets, open files, processes or threads: their kernel memory is charged to the container', 'raise the limit'],
  unknown: ['sample faster or enable the kernel report (/dev/kmsg) to see what filled the memory'],
}

const SCOPE_ADVICE: Partial<Record<OomScope, string>> = {
  pod: "the pod's limit was reached: another container, or page cache left by a restarted one, may have filled it",
  node: 'the node ran out of memory: give important pods requests equal to their limits, and check the node',
}

function numbersText(cause: OomCause, n: OomNumbers): string {
  const at: string[] = []
  const add = (label: string, bytes: number | undefined, always = false, approx = false): void => {
    if (bytes !== undefined && (always || bytes > 0)) at.push(`${label} ${approx ? '~' : ''}${mib(bytes)} MiB`)
  }
  add('limit', n.limitBytes, true)
  add('usage', n.usageBytes, true)
  add('anon', n.anonBytes, true)
  add('clean cache', n.cleanCacheBytes)
  const dirty = n.dirtyBytes === undefined && n.writebackBytes === undefined ? undefined : (n.dirtyBytes ?? 0) + (n.writebackBytes ?? 0)
  if (dirty !== undefined || n.peakDirtyWritebackBytes !== undefined) {
    const peak = n.peakDirtyWritebackBytes
    at.push(
      `dirty+writeback ${dirty === undefined ? '?' : mib(dirty)} MiB${peak !== undefined && peak !== dirty ? ` (peak ${mib(peak)} MiB)` : ''}`,
    )
  }
  add('shmem', n.shmemBytes, cause === 'shmem')
  add('kernel', n.kernelBytes, cause === 'kernel', n.kernelEstimated === true)
  const parts = [at.join(', ')]
  if (n.peakLimitHitsPerSecond !== undefined && n.peakLimitHitsPerSecond >= 1)
    parts.push(`limit hits up to ${Math.round(n.peakLimitHitsPerSecond)}/s`)
  if (n.processesRssBytes !== undefined) {
    const top = n.largestProcesses?.[0]
    const largest = top === undefined ? '' : ` (largest ${top.comm}, pid ${top.pid}, ${mib(top.rssBytes)} MiB)`
    parts.push(`processes' RSS ${mib(n.processesRssBytes)} MiB${n.processCount === undefined ? '' : ` in ${n.processCount}`}${largest}`)
  }
  if (n.victim !== undefined) parts.push(`the kernel killed ${n.victim.comm} (pid ${n.victim.pid})`)
  return parts.filter((p) => p !== '').join('; ')
}

function byteLength(text: string): number {
  return Buffer.byteLength(text, 'utf8')
}

/** Cuts text to max UTF-8 bytes on a character boundary, marking the cut. */
export function fitBytes(text: string, max: number): string {
  if (byteLength(text) <= max) return text
  let out = ''
  for (const ch of text) {
    if (byteLength(out + ch) + byteLength('…') > max) break
    out += ch
  }
  return `${out}…`
}

export function explain(cause: OomCause, scope: OomScope, numbers: OomNumbers): { advice: string[]; message: string } {
  const scopeAdvice = SCOPE_ADVICE[scope]
  const advice = [...(scopeAdvice === undefined ? [] : [scopeAdvice]), ...ADVICE[cause]]
  const head = `${SCOPE_TEXT[scope]}: ${cause}, ${CAUSE_TEXT[cause]}.`
  const figures = numbersText(cause, numbers)
  const body = figures === '' ? head : `${head} ${figures.charAt(0).toUpperCase()}${figures.slice(1)}.`
  // Drop advice from the end before cutting anything else.
  for (let count = advice.length; count > 0; count--) {
    const message = `${body} To fix: ${advice.slice(0, count).join('; ')}.`
    if (byteLength(message) <= MESSAGE_MAX_BYTES) return { advice, message }
  }
  return { advice, message: fitBytes(body, MESSAGE_MAX_BYTES) }
}
