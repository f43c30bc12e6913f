// Reads the kernel log (/dev/kmsg, opt-in with --kmsg) for its OOM reports: at every memcg
// OOM the kernel prints the victim and the cgroup's whole memory.stat at the kill
// (docs/oom.md "The kernel's own report"). Opened non-blocking: each read returns one record
// or EAGAIN when there is none, so draining it on every poll never waits.
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs'
import type { Logger } from 'pino'
import { errorCode, errorMessage } from '../kernel/errors.js'
import { parseKmsgRecord } from './kmsg-record.js'
import { OomReportAssembler, type KernelOomReport } from './oom-report.js'

/** A record is at most 8 KiB (the kernel's CONSOLE_EXT_LOG_MAX is 8192). */
const RECORD_MAX = 8192
/** Records read per drain at most: a flood of kernel messages cannot hold a poll. */
const DRAIN_MAX = 4096
/** Reports are kept this long for a kill to be matched with. */
const KEEP_MS = 120_000

export class KmsgReader {
  readonly #path: string
  readonly #logger: Logger
  readonly #assembler = new OomReportAssembler()
  readonly #buf = Buffer.allocUnsafe(RECORD_MAX)
  #fd: number | undefined
  #reports: { readonly report: KernelOomReport; readonly atMs: number; used: boolean }[] = []

  constructor(path: string, logger: Logger) {
    this.#path = path
    this.#logger = logger
    try {
      const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK)
      // Only the kernel log's character device: a FIFO or a regular file here is a mistake.
      if (!fstatSync(fd).isCharacterDevice()) {
        closeSync(fd)
        throw Object.assign(new Error(`${path} is not a character device`), { code: 'ENOTCHR' })
      }
      this.#fd = fd
    } catch (er) {
      const code = errorCode(er)
      const hint =
        code === 'EPERM' || code === 'EACCES'
          ? ' (kernel.dmesg_restrict=1 needs CAP_SYSLOG; see docs/security.md): explanations use the samples alone'
          : ': explanations use the samples alone'
      logger.warn({ path, err: errorMessage(er) }, `cannot read the kernel log${hint}`)
    }
  }

  get open(): boolean {
    return this.#fd !== undefined
  }

  /** Reads every record waiting; returns the OOM reports completed meanwhile. */
  drain(nowMs: number): void {
    const fd = this.#fd
    if (fd === undefined) return
    for (let i = 0; i < DRAIN_MAX; i++) {
      let n: number
      try {
        n = readSync(fd, this.#buf, 0, RECORD_MAX, null)
      } catch (er) {
        const code = errorCode(er)
        if (code === 'EAGAIN') break
        // The reader fell behind and records were overwritten: reading goes on from the oldest left.
        if (code === 'EPIPE') continue
        this.#logger.warn({ path: this.#path, err: errorMessage(er) }, 'reading the kernel log failed; it is no longer read')
        this.close()
        return
      }
      if (n <= 0) break
      try {
        for (const report of this.#assembler.push(parseKmsgRecord(this.#buf, 0, n)))
          this.#reports.push({ report, atMs: nowMs, used: false })
      } catch {
        // A record we cannot parse is not an OOM report; the next one may be.
      }
    }
    this.#reports = this.#reports.filter((r) => r.atMs >= nowMs - KEEP_MS)
  }

  /** The newest unused report of a kill in this cgroup (by the victim's or the OOM's memcg). */
  take(cgroupId: string): KernelOomReport | undefined {
    for (let i = this.#reports.length - 1; i >= 0; i--) {
      const r = this.#reports[i]
      if (r === undefined || r.used) continue
      const { taskMemcg, oomMemcg } = r.report
      if (taskMemcg === cgroupId || oomMemcg === cgroupId || taskMemcg?.startsWith(`${cgroupId}/`) === true) {
        r.used = true
        return r.report
      }
    }
    return undefined
  }

  close(): void {
    if (this.#fd !== undefined) closeSync(this.#fd)
    this.#fd = undefined
  }
}
