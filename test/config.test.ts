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
  const env = { MEMLENS_INTERVAL: '2s', MEMLENS_SCOPE: 'all', NODE_NAME: 'node-a', KUBECONFIG: '/k', MEMLENS_DISABLE_METRICS: 'pressure, runtime' }
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
  t.same(parseListen(':9597'), { host: '0.0.0.0', port: 9597 })
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
  t.equal(parseServer('https://proxy.example/api/v1/namespaces/m/services/memlens:9597/proxy/'), 'https://proxy.example/api/v1/namespaces/m/services/memlens:9597/proxy', 'a path prefix stays')
  t.equal(parseServer('[::1]:9597'), 'http://[::1]:9597')
  t.equal(cfg(['serve'], { MEMLENS_SERVER: 'nonsense://' }).command, 'serve', 'a stray MEMLENS_SERVER does not stop serve')
})

t.test('wrong flags and values are one-line ConfigErrors', async (t) => {
  const wrong: [string[], NodeJS.ProcessEnv, RegExp][] = [
    [['--bogus'], {}, /^unknown flag --bogus$/],
    [['--interval', '5'], {}, /--interval: "5" is not a duration/],
    [['--interval', '10ms'], {}, /at least 100ms/],
    [[], { MEMLENS_INTERVAL: 'soon' }, /--interval: "soon"/],
    [['--scope', 'pods'], {}, /--scope: "pods" is not one of kubernetes, all, auto/],
    [['--listen', '9597'], {}, /--listen: "9597" is not HOST:PORT/],
    [['--listen', 'h:99999'], {}, /--listen/],
    [['--disable-metrics', 'memory,bogus'], {}, /--disable-metrics: "bogus"/],
    [['--cgroup-root', 'relative'], {}, /--cgroup-root: "relative" must be an absolute path/],
    [['--log-level', 'loud'], {}, /--log-level/],
    [['--cgroup-parent', '/kubepods/../../etc'], {}, /must not contain "\.\."/],
    [['--interval'], {}, /--interval/],
    [['explode'], {}, /"explode" is not one of serve, snapshot, top, explain/],
    [['snapshot', 'cdi/importer'], {}, /unexpected argument "cdi\/importer"/],
    [['explain', 'a/b', 'c/d'], {}, /unexpected argument "c\/d"/],
    [['explain', 'cdi/importer/importer'], {}, /explain: "cdi\/importer\/importer" is not NAMESPACE\/POD or NAMESPACE \(e\.g\. default\/web-0\)/],
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
