// Flags and MEMLENS_* environment variables → one frozen, validated Config.
// Precedence: flag, then environment, then default. All defaults live in DEFAULTS.
import { parseArgs } from 'node:util'
import { errorCode, UsageError } from './kernel/errors.js'

export const COMMANDS = ['serve', 'snapshot', 'top', 'explain'] as const
export type Command = (typeof COMMANDS)[number]
/** The commands that read cgroups (explain asks a running agent instead). */
const COLLECTING: readonly Command[] = ['serve', 'snapshot', 'top']

export const SCOPE_CHOICES = ['kubernetes', 'all', 'auto'] as const
export type ScopeChoice = (typeof SCOPE_CHOICES)[number]

/** Metric groups --disable-metrics can switch off (docs/metrics.md, expose/metric-names.ts). */
export const METRIC_GROUPS = [
  'memory',
  'events',
  'pressure',
  'peaks',
  'processes',
  'oom',
  'pod',
  'container',
  'kubernetes',
  'runtime',
] as const
export type MetricGroup = (typeof METRIC_GROUPS)[number]

/** What snapshot and top can sort by (cli/table.ts). */
export const SORT_KEYS = ['wset', 'rss', 'prss', 'cache', 'dirty', 'writeback', 'limit', 'pct', 'oom', 'name'] as const
export type SortKey = (typeof SORT_KEYS)[number]

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const
export type LogLevel = (typeof LOG_LEVELS)[number]

export interface Config {
  readonly command: Command
  readonly cgroupRoot: string
  readonly procRoot: string
  readonly scope: ScopeChoice
  readonly cgroupParent: string
  readonly intervalMs: number
  /** host '' is every interface: [::] dual-stack where the host has IPv6, else 0.0.0.0 (Node's default). */
  readonly listen: { readonly host: string; readonly port: number }
  readonly disabledMetrics: ReadonlySet<MetricGroup>
  readonly nodeName: string | undefined
  readonly kubeconfig: string | undefined
  readonly logLevel: LogLevel
  readonly json: boolean
  readonly sort: SortKey
  readonly pods: boolean
  /** The window the *_window_max_bytes gauges cover. */
  readonly peakWindowMs: number
  /** Where the kernel log is read for its OOM reports (/dev/kmsg); off when undefined. */
  readonly kmsg: string | undefined
  /** explain: the agent to ask, an http(s) URL without a trailing slash. */
  readonly server: string
  /** explain: only the kills of this namespace, or of this pod. */
  readonly target: ExplainTarget | undefined
  /** Read cgroup files through the optional native addon when it loads (MEMLENS_NATIVE=0: off). */
  readonly nativeReader: boolean
  /** KUBERNETES_SERVICE_HOST and _PORT are set: we run in a pod and can use its ServiceAccount. */
  readonly inCluster: boolean
  /** Requests for /metrics and /api/ answered at once; beyond it 503 (0: no limit). */
  readonly maxRequestsInFlight: number
  /** A response that makes no progress this long (a client that stopped reading) is cut. */
  readonly writeTimeoutMs: number
}

const DEFAULT_PEAK_WINDOW = '30s'

/**
 * setTimeout fires at once for anything above 2^31-1 ms (24.8 days), so a longer interval would
 * collect back to back; a day is far beyond any useful one and says so in round words.
 */
const MAX_INTERVAL = '24h'
/**
 * Every sample of the peak window is kept in memory for every cgroup; two scrapes at
 * Prometheus' 5 minute staleness limit is the most a scrape could need.
 */
const MAX_PEAK_WINDOW = '10m'
export interface ExplainTarget {
  readonly namespace: string
  readonly pod?: string
}

export const DEFAULTS = Object.freeze({
  cgroupRoot: '/sys/fs/cgroup',
  procRoot: '/proc',
  scope: 'auto',
  cgroupParent: '/',
  // 5 s: a 2,500-cgroup node costs ~0.1-0.2 s of one core per cycle (bench/), so ~3 % of a
  // core, while dirty-page build-ups (seconds to minutes) stay visible between scrapes.
  interval: '5s',
  // Two Prometheus scrapes at the common 15 s: each scrape sees every peak since the last.
  peakWindow: DEFAULT_PEAK_WINDOW,
  listen: '127.0.0.1:9597',
  logLevel: 'info',
  sort: 'wset',
  server: 'http://127.0.0.1:9597',
  // node_exporter's --web.max-requests: Prometheus needs one per server scraping the node.
  maxRequestsInFlight: 40,
  writeTimeout: '30s',
} as const)

interface FlagSpec {
  readonly name: string
  readonly env: readonly string[]
  readonly help: string
  readonly boolean?: true
  readonly short?: string
  /**
   * The commands the flag applies to (undefined: all). Given on the command line to another
   * command it is an error; its environment variables are then ignored, so one environment
   * serves every command.
   */
  readonly commands?: readonly Command[]
}

/** Every flag, its environment variables and its help: docs/config.md mirrors this table. */
export const FLAGS: readonly FlagSpec[] = [
  { name: 'cgroup-root', env: ['MEMLENS_CGROUP_ROOT'], help: `cgroup mount root (default ${DEFAULTS.cgroupRoot})`, commands: COLLECTING },
  {
    name: 'proc-root',
    env: ['MEMLENS_PROC_ROOT'],
    help: `procfs mount: mountinfo and the processes' /proc/PID/status (default ${DEFAULTS.procRoot})`,
    commands: COLLECTING,
  },
  {
    name: 'scope',
    env: ['MEMLENS_SCOPE'],
    help: 'kubernetes | all | auto (default auto: kubernetes when kubepods exists)',
    commands: COLLECTING,
  },
  {
    name: 'cgroup-parent',
    env: ['MEMLENS_CGROUP_PARENT'],
    help: 'only cgroups at or below this path of the hierarchy (default /)',
    commands: COLLECTING,
  },
  {
    name: 'interval',
    env: ['MEMLENS_INTERVAL'],
    help: `how often to read the cgroups, 100ms to ${MAX_INTERVAL} (default ${DEFAULTS.interval})`,
    commands: ['serve', 'top'],
  },
  {
    name: 'peak-window',
    env: ['MEMLENS_PEAK_WINDOW'],
    help: `how far back the *_window_max_bytes peaks reach, 1s to ${MAX_PEAK_WINDOW} (default ${DEFAULT_PEAK_WINDOW})`,
    commands: ['serve'],
  },
  {
    name: 'kmsg',
    env: ['MEMLENS_KMSG'],
    help: 'read the kernel log (e.g. /dev/kmsg) for its OOM reports (default off)',
    commands: ['serve'],
  },
  {
    name: 'listen',
    env: ['MEMLENS_LISTEN'],
    help: `HOST:PORT to serve on, :PORT for every interface (default ${DEFAULTS.listen})`,
    commands: ['serve'],
  },
  {
    name: 'max-requests-in-flight',
    env: ['MEMLENS_MAX_REQUESTS_IN_FLIGHT'],
    help: `requests for /metrics and /api/ answered at once, beyond it 503; 0: no limit (default ${DEFAULTS.maxRequestsInFlight})`,
    commands: ['serve'],
  },
  {
    name: 'write-timeout',
    env: ['MEMLENS_WRITE_TIMEOUT'],
    help: `cut a response the client takes nothing of for this long (default ${DEFAULTS.writeTimeout})`,
    commands: ['serve'],
  },
  {
    name: 'disable-metrics',
    env: ['MEMLENS_DISABLE_METRICS'],
    help: `metric groups to switch off, comma-separated: ${METRIC_GROUPS.join(', ')}`,
    commands: ['serve'],
  },
  {
    name: 'node-name',
    env: ['MEMLENS_NODE_NAME', 'NODE_NAME'],
    help: 'this node: turns on pod names from the Kubernetes API',
    commands: COLLECTING,
  },
  {
    name: 'kubeconfig',
    env: ['MEMLENS_KUBECONFIG', 'KUBECONFIG'],
    help: 'kubeconfig file, with --node-name (default: in-cluster service account)',
    commands: COLLECTING,
  },
  { name: 'log-level', env: ['MEMLENS_LOG_LEVEL'], help: `${LOG_LEVELS.join(' | ')} (default ${DEFAULTS.logLevel})`, commands: COLLECTING },
  { name: 'json', env: ['MEMLENS_JSON'], help: 'print JSON instead of a table or text', boolean: true, commands: ['snapshot', 'explain'] },
  {
    name: 'sort',
    env: ['MEMLENS_SORT'],
    help: `sort by ${SORT_KEYS.join(' | ')} (default ${DEFAULTS.sort})`,
    commands: ['snapshot', 'top'],
  },
  { name: 'pods', env: ['MEMLENS_PODS'], help: 'show pod cgroups instead of containers', boolean: true, commands: ['snapshot', 'top'] },
  { name: 'server', env: ['MEMLENS_SERVER'], help: `the running agent to ask (default ${DEFAULTS.server})`, commands: ['explain'] },
  { name: 'help', env: [], help: 'show this help (also memlens help)', boolean: true, short: 'h' },
  { name: 'version', env: [], help: 'print the version', boolean: true },
]

// Go-style durations, as Prometheus and kubelet users write them: 500ms, 2s, 1m30s, 1.5h.
const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h)/y

/** Milliseconds, or undefined when the text is not a duration. */
export function parseDuration(text: string): number | undefined {
  if (text === '') return undefined
  PART.lastIndex = 0
  let total = 0
  while (PART.lastIndex < text.length) {
    const match = PART.exec(text)
    if (match === null) return undefined
    const [, amount, unit] = match
    total += Number(amount) * (UNIT_MS[unit ?? ''] ?? Number.NaN)
  }
  return Number.isFinite(total) ? total : undefined
}

export function formatDuration(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`
  if (ms % 60_000 === 0) return `${ms / 60_000}m`
  if (ms % 1000 === 0) return `${ms / 1000}s`
  return `${ms}ms`
}

/** A wrong flag or value: main prints the message on one line and exits 2. */
export class ConfigError extends UsageError {
  override readonly name = 'ConfigError'
}

function oneOf<T extends string>(flag: string, value: string, choices: readonly T[]): T {
  const found = choices.find((c) => c === value)
  if (found === undefined) throw new ConfigError(`--${flag}: ${JSON.stringify(value)} is not one of ${choices.join(', ')}`)
  return found
}

export function parseListen(value: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(value)
  const port = Number(m?.[3])
  if (m === null || port > 65535)
    throw new ConfigError(`--listen: ${JSON.stringify(value)} is not HOST:PORT (e.g. 127.0.0.1:9597, :9597, [::1]:9597)`)
  // ':PORT' leaves the host empty: every interface, IPv6 included where the host has it.
  return { host: m[1] ?? m[2] ?? '', port }
}

function parseGroups(value: string): Set<MetricGroup> {
  const out = new Set<MetricGroup>()
  for (const part of value.split(',')) {
    const name = part.trim()
    if (name !== '') out.add(oneOf('disable-metrics', name, METRIC_GROUPS))
  }
  return out
}

/** An http(s) URL; HOST:PORT alone means http. A path prefix stays (kubectl proxy). */
export function parseServer(value: string): string {
  const text = value.includes('://') ? value : `http://${value}`
  let url: URL | undefined
  try {
    url = new URL(text)
  } catch {
    url = undefined
  }
  if (
    url === undefined ||
    (url.protocol !== 'http:' && url.protocol !== 'https:') ||
    url.hostname === '' ||
    url.search !== '' ||
    url.hash !== ''
  ) {
    throw new ConfigError(`--server: ${JSON.stringify(value)} is not an http:// URL of a memlens agent (e.g. http://127.0.0.1:9597)`)
  }
  return url.href.replace(/\/+$/, '')
}

// Kubernetes names: a namespace is a DNS label, a pod name a DNS subdomain.
const NAMESPACE = /^[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?$/
const POD = /^[a-z0-9](?:[-a-z0-9.]{0,251}[a-z0-9])?$/

/** `NAMESPACE/POD` or `NAMESPACE`, as kubectl users write them. */
export function parseTarget(value: string): ExplainTarget {
  const [namespace = '', pod, ...more] = value.split('/')
  if (NAMESPACE.test(namespace) && more.length === 0 && (pod === undefined || POD.test(pod))) {
    return pod === undefined ? { namespace } : { namespace, pod }
  }
  throw new ConfigError(`explain: ${JSON.stringify(value)} is not NAMESPACE/POD or NAMESPACE (e.g. default/web-0)`)
}

function parsePath(flag: string, value: string): string {
  if (!value.startsWith('/')) throw new ConfigError(`--${flag}: ${JSON.stringify(value)} must be an absolute path`)
  if (value.split('/').includes('..')) throw new ConfigError(`--${flag}: ${JSON.stringify(value)} must not contain ".."`)
  return value.length > 1 ? value.replace(/\/+$/, '') : value
}

/** A duration flag's value within [min, max]; the error names both ends. */
function durationWithin(flag: string, text: string, min: string, max: string, examples: string): number {
  const ms = parseDuration(text)
  if (ms === undefined || ms < (parseDuration(min) ?? 0) || ms > (parseDuration(max) ?? 0)) {
    throw new ConfigError(`--${flag}: ${JSON.stringify(text)} is not a duration from ${min} to ${max} (e.g. ${examples})`)
  }
  return ms
}

/**
 * node:util calls `--interval -1s` ambiguous: a value starting with a dash might be a forgotten
 * value followed by a flag. No memlens flag starts with a dash and a digit or a slash, so such a
 * word is the value, and the value's own check says what is wrong with it; a flag where the value
 * should be means the value is missing.
 */
function joinDashValues(argv: readonly string[]): string[] {
  const out: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? ''
    if (arg === '--') return [...out, ...argv.slice(i)]
    const spec = FLAGS.find((f) => `--${f.name}` === arg)
    if (spec === undefined || spec.boolean === true) {
      out.push(arg)
      continue
    }
    const next = argv[i + 1]
    if (next === undefined || next === '--' || /^-[-a-zA-Z]/.test(next)) throw new ConfigError(`--${spec.name} needs a value`)
    out.push(`${arg}=${next}`)
    i++
  }
  return out
}

function unknownCommand(name: string): ConfigError {
  return new ConfigError(`unknown command ${JSON.stringify(name)}: memlens ${COMMANDS.join(', ')} or help`)
}

export interface ParsedCommandLine {
  /** --help, -h or `memlens help [COMMAND]`: print helpText(). */
  readonly help: boolean
  /** --version: print the package's version. */
  readonly version: boolean
  readonly config?: Config
}

export function parseConfig(argv: readonly string[], env: NodeJS.ProcessEnv): ParsedCommandLine {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = {}
  for (const f of FLAGS) options[f.name] = { type: f.boolean ? 'boolean' : 'string', ...(f.short === undefined ? {} : { short: f.short }) }
  let parsed: ReturnType<typeof parseArgs>
  try {
    parsed = parseArgs({ args: joinDashValues(argv), options, allowPositionals: true, strict: true })
  } catch (er) {
    // node:util's messages are long and suggest '--' tricks; say what is wrong, briefly.
    const message = er instanceof Error ? er.message : String(er)
    const flag = /'(-[^']*)'/.exec(message)?.[1]
    if (errorCode(er) === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && flag !== undefined) throw new ConfigError(`unknown flag ${flag}`)
    throw new ConfigError(message.split('\n')[0] ?? message)
  }
  const { values, positionals } = parsed
  if (values['help'] === true) return { help: true, version: false }
  if (values['version'] === true) return { help: false, version: true }
  const name = positionals[0] ?? 'serve'
  if (name === 'help') {
    const topic = positionals[1]
    if (topic !== undefined && !COMMANDS.some((c) => c === topic)) throw unknownCommand(topic)
    if (positionals.length > 2) throw new ConfigError(`unexpected argument ${JSON.stringify(positionals[2])}`)
    return { help: true, version: false }
  }
  const command = COMMANDS.find((c) => c === name)
  if (command === undefined) throw unknownCommand(name)
  // Only explain takes an argument of its own: the pod (or namespace) to explain.
  const allowed = command === 'explain' ? 2 : 1
  if (positionals.length > allowed) throw new ConfigError(`unexpected argument ${JSON.stringify(positionals[allowed])}`)
  const targetText = command === 'explain' ? positionals[1] : undefined

  const applies = (f: FlagSpec): boolean => f.commands === undefined || f.commands.includes(command)
  for (const f of FLAGS) {
    if (typeof values[f.name] !== 'undefined' && !applies(f)) throw new ConfigError(`--${f.name} does not apply to "memlens ${command}"`)
  }
  // A flag that does not apply reads no environment either: one shell (MEMLENS_LISTEN,
  // KUBECONFIG, MEMLENS_SERVER, ...) must serve every command, and a value nobody uses is not
  // worth an error.
  const get = (name: string): string | undefined => {
    const spec = FLAGS.find((f) => f.name === name)
    if (spec === undefined || !applies(spec)) return undefined
    const v = values[name]
    if (typeof v === 'string') return v
    if (v === true) return 'true'
    for (const key of spec.env) {
      const e = env[key]
      if (e !== undefined && e !== '') return e
    }
    return undefined
  }
  const bool = (name: string): boolean => {
    const v = get(name)
    if (v === undefined || v === 'false' || v === '0') return false
    if (v === 'true' || v === '1') return true
    throw new ConfigError(`--${name}: ${JSON.stringify(v)} is not true or false`)
  }
  const intervalMs = durationWithin('interval', get('interval') ?? DEFAULTS.interval, '100ms', MAX_INTERVAL, '500ms, 5s, 1m')
  const peakWindowMs = durationWithin('peak-window', get('peak-window') ?? DEFAULTS.peakWindow, '1s', MAX_PEAK_WINDOW, '30s, 1m')
  const nodeName = get('node-name')
  // A kubeconfig only says how to reach the API server; the node name is what asks it for names.
  // Given on the command line alone it is a mistake worth saying; KUBECONFIG in a shell is not.
  if (typeof values['kubeconfig'] === 'string' && nodeName === undefined) {
    throw new ConfigError('--kubeconfig needs --node-name (or NODE_NAME): pod names come from the pods of one node')
  }
  const kmsg = get('kmsg')
  const inFlightText = get('max-requests-in-flight') ?? String(DEFAULTS.maxRequestsInFlight)
  if (!/^\d{1,6}$/.test(inFlightText)) {
    throw new ConfigError(`--max-requests-in-flight: ${JSON.stringify(inFlightText)} is not a whole number (0 for no limit)`)
  }
  const writeTimeoutText = get('write-timeout') ?? DEFAULTS.writeTimeout
  const writeTimeoutMs = parseDuration(writeTimeoutText)
  // A timer holds at most 2^31-1 ms (~24.8 days); beyond it Node fires at once.
  if (writeTimeoutMs === undefined || writeTimeoutMs < 100 || writeTimeoutMs > 2 ** 31 - 1) {
    throw new ConfigError(`--write-timeout: ${JSON.stringify(writeTimeoutText)} is not a duration from 100ms to 24 days (e.g. 10s, 1m)`)
  }
  const config: Config = {
    command,
    cgroupRoot: parsePath('cgroup-root', get('cgroup-root') ?? DEFAULTS.cgroupRoot),
    procRoot: parsePath('proc-root', get('proc-root') ?? DEFAULTS.procRoot),
    scope: oneOf('scope', get('scope') ?? DEFAULTS.scope, SCOPE_CHOICES),
    cgroupParent: parsePath('cgroup-parent', get('cgroup-parent') ?? DEFAULTS.cgroupParent),
    intervalMs,
    listen: parseListen(get('listen') ?? DEFAULTS.listen),
    disabledMetrics: parseGroups(get('disable-metrics') ?? ''),
    nodeName,
    kubeconfig: nodeName === undefined ? undefined : get('kubeconfig'),
    logLevel: oneOf('log-level', get('log-level') ?? DEFAULTS.logLevel, LOG_LEVELS),
    json: bool('json'),
    sort: oneOf('sort', get('sort') ?? DEFAULTS.sort, SORT_KEYS),
    pods: bool('pods'),
    peakWindowMs,
    kmsg: kmsg === undefined ? undefined : parsePath('kmsg', kmsg),
    server: parseServer(get('server') ?? DEFAULTS.server),
    target: targetText === undefined ? undefined : parseTarget(targetText),
    nativeReader: env['MEMLENS_NATIVE'] !== '0',
    inCluster: Boolean(env['KUBERNETES_SERVICE_HOST']) && Boolean(env['KUBERNETES_SERVICE_PORT']),
    maxRequestsInFlight: Number(inFlightText),
    writeTimeoutMs,
  }
  return { help: false, version: false, config: Object.freeze(config) }
}

export function helpText(): string {
  const lines = [
    'memlens: per-pod and per-container memory from the cgroup hierarchy, as Prometheus metrics.',
    '',
    'Usage: memlens [serve|snapshot|top] [flags]',
    '       memlens explain [NAMESPACE/POD] [flags]',
    '       memlens help | --help | -h | --version',
    '  serve      collect every --interval and serve /metrics, /healthz, /readyz, /api/v1/snapshot, /api/v1/ooms (default)',
    '  snapshot   collect once and print a table (or --json)',
    '  top        a live view, one row per container (keys: w r s c d b l p o n sort, R reverse, Tab pods, q quit)',
    '  explain [NAMESPACE/POD]',
    '             why containers were OOM-killed, as the running agent (--server) explained it',
    '',
    'Flags, each also read from the environment variables shown. A flag applies to the commands',
    'in parentheses: given to another, it is an error; its environment variables are then ignored.',
  ]
  for (const f of FLAGS) {
    const left = `  ${f.short === undefined ? '' : `-${f.short}, `}--${f.name}${f.boolean ? '' : ' VALUE'}`
    const env = f.env.length > 0 ? ` [${f.env.join(', ')}]` : ''
    const commands = f.commands === undefined ? '' : ` (${f.commands.join(', ')})`
    lines.push(`${left.padEnd(28)}${f.help}${env}${commands}`)
  }
  return lines.join('\n') + '\n'
}
