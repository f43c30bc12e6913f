// The process's own CPU, memory and file descriptors (the `runtime` group), in place of
// prom-client's collectDefaultMetrics: that one samples the event loop every 10 ms (~9 ms of
// CPU a second here, more than an idle agent's collections at 200 cgroups) and serves
// `nodejs_active_*_total` gauges that `promtool check metrics` rejects. Everything here is
// read when /metrics is rendered, and only then.
import { readdirSync } from 'node:fs'
import { Counter, Gauge, type Registry } from './prom.js'
import { RUNTIME_METRICS as M } from './metric-names.js'

const START_TIME_SECONDS = Math.round(Date.now() / 1000 - process.uptime())

/** Open descriptors, as process_open_fds; undefined where /proc/self/fd is not readable. */
function openFds(): number | undefined {
  try {
    return readdirSync('/proc/self/fd').length
  } catch {
    return undefined
  }
}

export function registerRuntimeMetrics(registry: Registry): void {
  const registers = [registry]
  const cpu = (metric: typeof M.cpu | typeof M.cpuUser | typeof M.cpuSystem, pick: (u: NodeJS.CpuUsage) => number): void => {
    let reported = 0
    new Counter({
      name: metric.name,
      help: metric.help,
      registers,
      collect() {
        const seconds = pick(process.cpuUsage()) / 1e6
        this.inc(Math.max(0, seconds - reported))
        reported = Math.max(reported, seconds)
      },
    })
  }
  cpu(M.cpuUser, (u) => u.user)
  cpu(M.cpuSystem, (u) => u.system)
  cpu(M.cpu, (u) => u.user + u.system)
  new Gauge({ name: M.startTime.name, help: M.startTime.help, registers }).set(START_TIME_SECONDS)
  new Gauge({
    name: M.residentMemory.name,
    help: M.residentMemory.help,
    registers,
    collect() {
      this.set(process.memoryUsage.rss())
    },
  })
  new Gauge({
    name: M.openFds.name,
    help: M.openFds.help,
    registers,
    collect() {
      const n = openFds()
      if (n !== undefined) this.set(n)
    },
  })
  const memory = (metric: typeof M.heapTotal | typeof M.heapUsed | typeof M.external, pick: (m: NodeJS.MemoryUsage) => number): void => {
    new Gauge({
      name: metric.name,
      help: metric.help,
      registers,
      collect() {
        this.set(pick(process.memoryUsage()))
      },
    })
  }
  memory(M.heapTotal, (m) => m.heapTotal)
  memory(M.heapUsed, (m) => m.heapUsed)
  memory(M.external, (m) => m.external)
}
