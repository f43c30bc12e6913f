import t from 'tap'
import { ConfigError, DEFAULTS, FLAGS, helpText, parseConfig, parseListen, parseServer, parseTarget } from '../agent/config.js'

const cfg = (argv: string[], env: NodeJS.ProcessEnv = {}) => {
  const parsed = parseConfig(argv, env)
  if (parsed.config === undefined) throw new Error('expected a config')
  return parsed.config
}

t.test('defaults', async (t) => {
  const c = cfg([])
  t.equal(c.command, 'serve')
  t.equal(c.cgroupRoot, DEFAULTS.cgroupRoot)
  t.equal(c.scope, 'auto')
  t.equal(c.cgroupParent, '/')
  t.equal(c.intervalMs, 5000)
  t.same(c.listen, { host: '127.0.0.1', port: 9597 })
  t.equal(c.disabledMetrics.size, 0)
  t.equal(c.nodeName, undefined)
  t.ok(Object.isFrozen(c))
})

t.test('flags beat environment, environment beats defaults', async (t) => {
  const env = {
    MEMLENS_INTERVAL: '2s',
    MEMLENS_SCOPE: 'all',
    NODE_NAME: 'node-a',
    KUBECONFIG: '/k',
    MEMLENS_DISABLE_METRICS: 'pressure, runtime',
  }
  const c = cfg(['--interval', '500ms'], env)
  t.equal(c.intervalMs, 500)
  t.equal(c.scope, 'all')
  t.equal(c.nodeName, 'node-a')
  t.equal(c.kubeconfig, '/k')
  t.same([...c.disabledMetrics], ['pressure', 'runtime'])
  t.equal(cfg(['--node-name=b'], env).nodeName, 'b')
  t.equal(cfg([], { MEMLENS_NODE_NAME: 'm', NODE_NAME: 'n' }).nodeName, 'm', 'MEMLENS_ wins over the downward-API name')
  t.equal(cfg(['snapshot'], { MEMLENS_JSON: 'true' }).json, true)
})

t.test('commands and paths', async (t) => {
  t.equal(cfg(['snapshot', '--json']).json, true)
  t.equal(cfg(['top', '--sort', 'dirty']).sort, 'dirty')
  t.equal(cfg(['--cgroup-parent', '/kubepods.slice/']).cgroupParent, '/kubepods.slice', 'trailing slash dropped')
  t.same(parseListen(':9597'), { host: '', port: 9597 }, 'every interface')
  t.same(parseListen('[::1]:0'), { host: '::1', port: 0 })
  t.same(parseListen('localhost:80'), { host: 'localhost', port: 80 })
  t.equal(parseConfig(['--help'], {}).help, true)
})

t.test('explain: the agent to ask and the pod to explain', async (t) => {
  const c = cfg(['explain'])
  t.equal(c.command, 'explain')
  t.equal(c.server, 'http://127.0.0.1:9597')
  t.equal(c.target, undefined)
  t.equal(cfg(['explain', 'cdi/importer-disk-7x']).target?.pod, 'importer-disk-7x')
  t.same(cfg(['explain', 'cdi/importer-disk-7x']).target, { namespace: 'cdi', pod: 'importer-disk-7x' })
  t.same(cfg(['explain', 'kube-system']).target, { namespace: 'kube-system' }, 'a namespace alone')
  t.same(parseTarget('ns/web-0.shard.a'), { namespace: 'ns', pod: 'web-0.shard.a' }, 'pod names are DNS subdomains')
  t.equal(cfg(['explain', '--json', '--server', 'http://10.0.0.5:9597/']).json, true)
  t.equal(cfg(['explain'], { MEMLENS_SERVER: '10.0.0.5:9597' }).server, 'http://10.0.0.5:9597', 'HOST:PORT means http')
  t.equal(cfg(['explain', '--server', 'http://a:1'], { MEMLENS_SERVER: 'http://b:2' }).server, 'http://a:1', 'the flag wins')
  t.equal(
    parseServer('https://proxy.example/api/v1/namespaces/m/services/memlens:9597/proxy/'),
    'https://proxy.example/api/v1/namespaces/m/services/memlens:9597/proxy',
    'a path prefix stays',
  )
  t.equal(parseServer('[::1]:9597'), 'http://[::1]:9597')
  t.equal(cfg(['serve'], { MEMLENS_SERVER: 'nonsense://' }).command, 'serve', 'a stray MEMLENS_SERVER does not stop serve')
})

t.test('wrong flags and values are one-line ConfigErrors', async (t) => {
  const wrong: [string[], NodeJS.ProcessEnv, RegExp][] = [
    [['--bogus'], {}, /^unknown flag --bogus$/],
    [['--interval', '5'], {}, /--interval: "5" is not a duration/],
    [['--interval', '10ms'], {}, /from 100ms to 24h/],
    [[], { MEMLENS_INTERVAL: 'soon' }, /--interval: "soon"/],
    [['--scope', 'pods'], {}, /--scope: "pods" is not one of kubernetes, all, auto/],
    [['--listen', '9597'], {}, /--listen: "9597" is not HOST:PORT/],
    [['--listen', 'h:99999'], {}, /--listen/],
    [['--disable-metrics', 'memory,bogus'], {}, /--disable-metrics: "bogus"/],
    [['--cgroup-root', 'relative'], {}, /--cgroup-root: "relative" must be an absolute path/],
    [['--log-level', 'loud'], {}, /--log-level/],
    [['--cgroup-parent', '/kubepods/../../etc'], {}, /must not contain "\.\."/],
    [['--interval'], {}, /--interval/],
    [['explode'], {}, /^unknown command "explode"/],
    [['snapshot', 'cdi/importer'], {}, /unexpected argument "cdi\/importer"/],
    [['explain', 'a/b', 'c/d'], {}, /unexpected argument "c\/d"/],
    [
      ['explain', 'cdi/importer/importer'],
      {},
      /explain: "cdi\/importer\/importer" is not NAMESPACE\/POD or NAMESPACE \(e\.g\. default\/web-0\)/,
    ],
    [['explain', 'Default/web-0'], {}, /explain: "Default\/web-0" is not NAMESPACE\/POD/],
    [['explain', 'default/'], {}, /is not NAMESPACE\/POD/],
    [['explain', '/web-0'], {}, /is not NAMESPACE\/POD/],
    [['explain', '--server', 'ftp://host:21'], {}, /--server: "ftp:\/\/host:21" is not an http:\/\/ URL/],
    [['explain'], { MEMLENS_SERVER: 'http://' }, /--server: "http:\/\/"/],
    [['explain', '--server', 'http://h:9597/?x=1'], {}, /--server/],
    [['top', '--server', 'http://h:9597'], {}, /--server does not apply to "memlens top"/],
    [['top', '--json'], {}, /--json does not apply to "memlens top"/],
    [['serve', 'extra'], {}, /unexpected argument "extra"/],
    [['serve', '--json'], {}, /--json does not apply to "memlens serve"/],
    [['snapshot'], { MEMLENS_JSON: 'maybe' }, /--json: "maybe" is not true or false/],
  ]
  for (const [argv, env, re] of wrong) {
    let caught: unknown
    try {
      parseConfig(argv, env)
    } catch (er) {
      caught = er
    }
    t.ok(caught instanceof ConfigError, `${argv.join(' ')} is a ConfigError`)
    t.match(caught instanceof Error ? caught.message : '', re)
    t.notMatch(caught instanceof Error ? caught.message : '', /\n/, 'one line')
  }
})

t.test('help lists every flag and its environment variables', async (t) => {
  const help = helpText()
  for (const f of FLAGS) {
    t.match(help, `--${f.name}`)
    for (const e of f.env) t.match(help, e)
  }
})

const configError = (argv: string[], env: NodeJS.ProcessEnv = {}): string => {
  try {
    parseConfig(argv, env)
  } catch (er) {
    if (er instanceof ConfigError) return er.message
    throw er
  }
  return '(no error)'
}

t.test('-h, help and --version are answered, not rejected', async (t) => {
  t.equal(parseConfig(['-h'], {}).help, true)
  t.equal(parseConfig(['help'], {}).help, true)
  t.equal(parseConfig(['help', 'snapshot'], {}).help, true, 'help COMMAND')
  t.equal(parseConfig(['snapshot', '--help'], {}).help, true)
  t.equal(parseConfig(['--version'], {}).version, true)
  t.equal(parseConfig(['top', '--version'], {}).version, true)
  t.equal(parseConfig([], {}).version, false)
  t.match(configError(['help', 'me']), /^unknown command "me"/)
  t.match(helpText(), /memlens help/)
  t.match(helpText(), /--version/)
})

t.test('flags on the command line that do not apply to the command are errors', async (t) => {
  const cases: [string[], RegExp][] = [
    [['snapshot', '--interval', '1s'], /^--interval does not apply to "memlens snapshot"/],
    [['snapshot', '--listen', ':9597'], /^--listen does not apply to "memlens snapshot"/],
    [['explain', '--cgroup-root', '/x'], /^--cgroup-root does not apply to "memlens explain"/],
    [['explain', '--node-name', 'n'], /^--node-name does not apply to "memlens explain"/],
    [['explain', '--log-level', 'debug'], /^--log-level does not apply to "memlens explain"/],
    [['top', '--disable-metrics', 'memory'], /^--disable-metrics does not apply to "memlens top"/],
    [['top', '--peak-window', '1m'], /^--peak-window does not apply to "memlens top"/],
    [['serve', '--pods'], /^--pods does not apply to "memlens serve"/],
  ]
  for (const [argv, re] of cases) t.match(configError(argv), re, argv.join(' '))
  t.equal(cfg(['top', '--interval', '1s']).intervalMs, 1000, 'top polls at --interval')
  for (const f of FLAGS) t.ok(f.commands === undefined || f.commands.length > 0, `--${f.name} applies somewhere`)
})

t.test('environment variables that do not apply to the command are ignored', async (t) => {
  t.equal(cfg(['snapshot'], { MEMLENS_LISTEN: 'bogus' }).command, 'snapshot', 'a bad MEMLENS_LISTEN does not stop snapshot')
  t.equal(cfg(['snapshot'], { MEMLENS_LISTEN: ':9597' }).command, 'snapshot')
  t.equal(cfg(['top'], { MEMLENS_JSON: 'maybe' }).json, false)
  t.equal(cfg(['top'], { MEMLENS_JSON: 'true' }).json, false, 'top has no JSON')
  t.equal(cfg(['serve'], { MEMLENS_SORT: 'bogus', MEMLENS_PODS: 'maybe' }).sort, DEFAULTS.sort)
  t.equal(cfg(['explain'], { MEMLENS_INTERVAL: 'soon', MEMLENS_CGROUP_ROOT: 'relative' }).command, 'explain')
  t.equal(cfg(['snapshot'], { MEMLENS_INTERVAL: '-1s' }).intervalMs, 5000, 'snapshot collects once')
  t.match(configError(['serve'], { MEMLENS_LISTEN: 'bogus' }), /--listen: "bogus"/, 'where it applies it is checked')
})

t.test('errors say what is wrong', async (t) => {
  const interval = configError(['--interval', '-1s'])
  t.match(interval, /^--interval: "-1s" is not a duration/)
  t.notMatch(interval, /ambiguous/)
  t.match(configError(['--interval', '--json']), /^--interval needs a value/)
  t.match(configError(['top', '--interval']), /^--interval needs a value/)
  t.equal(cfg(['--interval', '-1s', '--interval', '2s']).intervalMs, 2000, 'the last one wins, as for any flag')
  const command = configError(['explode'])
  t.match(command, /^unknown command "explode": memlens serve, snapshot, top, explain or help/)
  t.notMatch(command, /--command/)
})

t.test('--interval and --peak-window are capped', async (t) => {
  // setTimeout fires at once above 2^31-1 ms: 600h would collect back to back.
  t.match(configError(['--interval', '600h']), /^--interval: "600h" is not a duration from 100ms to 24h/)
  t.match(configError([], { MEMLENS_INTERVAL: '1000000h' }), /--interval: "1000000h"/)
  t.equal(cfg(['--interval', '24h']).intervalMs, 86_400_000)
  t.match(configError(['top', '--interval', '25h']), /from 100ms to 24h/)
  t.match(configError(['--peak-window', '1h']), /^--peak-window: "1h" is not a duration from 1s to 10m/)
  t.equal(cfg(['--peak-window', '10m']).peakWindowMs, 600_000)
})

t.test('--kubeconfig without --node-name is an error; KUBECONFIG alone is ignored', async (t) => {
  t.match(configError(['snapshot', '--kubeconfig', '/k']), /^--kubeconfig needs --node-name/)
  t.match(configError(['--kubeconfig=/k']), /^--kubeconfig needs --node-name/)
  t.equal(cfg(['--kubeconfig', '/k', '--node-name', 'a']).kubeconfig, '/k')
  t.equal(cfg(['--kubeconfig', '/k'], { NODE_NAME: 'a' }).kubeconfig, '/k')
  t.equal(cfg(['snapshot'], { KUBECONFIG: '/home/me/.kube/config' }).kubeconfig, undefined, 'a shell KUBECONFIG does not stop snapshot')
  t.equal(cfg([], { MEMLENS_KUBECONFIG: '/k' }).kubeconfig, undefined)
})

t.test('--listen :PORT means every interface', async (t) => {
  t.same(parseListen(':9597'), { host: '', port: 9597 })
  t.same(parseListen('0.0.0.0:9597'), { host: '0.0.0.0', port: 9597 }, 'an explicit address is kept')
  t.same(parseListen('[::]:9597'), { host: '::', port: 9597 })
})
