// What Node itself pays for the syscalls alone: openSync/readSync-to-EOF/closeSync of the same
// files into one reused buffer, no parsing, no model. Between this and the C floor is the cost
// of crossing into libuv's sync fs; between this and the cycle is the agent's own JS.
import { closeSync, openSync, readSync } from 'node:fs'
import type { CgroupVersion } from '../agent-api.js'
import { FILES } from '../files.js'
import { median } from '../stats.js'

export interface NodeReadFigures {
  readonly medianMs: number
  readonly cpuMedianMs: number
}

export function nodeReadFloor(version: CgroupVersion, dirs: readonly string[], passes: number): NodeReadFigures {
  const names = FILES[version].map((f) => f.name)
  const buf = Buffer.allocUnsafe(64 * 1024)
  const pass = (): number => {
    let bytes = 0
    for (const dir of dirs) {
      for (const name of names) {
        const fd = openSync(`${dir}/${name}`, 'r')
        try {
          for (;;) {
            const n = readSync(fd, buf, 0, buf.length, null)
            if (n === 0) break
            bytes += n
          }
        } finally {
          closeSync(fd)
        }
      }
    }
    return bytes
  }
  pass()
  const t: number[] = []
  const cpuT: number[] = []
  for (let i = 0; i < passes; i++) {
    const c0 = process.cpuUsage()
    const t0 = performance.now()
    pass()
    t.push(performance.now() - t0)
    const cpu = process.cpuUsage(c0)
    cpuT.push((cpu.user + cpu.system) / 1000)
  }
  return { medianMs: median(t), cpuMedianMs: median(cpuT) }
}
