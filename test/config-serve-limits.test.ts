// --max-requests-in-flight and --write-timeout (docs/config.md, "Serving limits").
import t from 'tap'
import { ConfigError, parseConfig } from '../agent/config.js'

const serve = (argv: string[], env: NodeJS.ProcessEnv = {}) => parseConfig(['serve', ...argv], env).config

t.test('defaults: 40 in flight, a 30 s write timeout', async (t) => {
  t.equal(serve([])?.maxRequestsInFlight, 40)
  t.equal(serve([])?.writeTimeoutMs, 30_000)
})

t.test('from flags and the environment; 0 is no limit', async (t) => {
  t.equal(serve(['--max-requests-in-flight', '0'])?.maxRequestsInFlight, 0)
  t.equal(serve([], { MEMLENS_MAX_REQUESTS_IN_FLIGHT: '5' })?.maxRequestsInFlight, 5)
  t.equal(serve(['--write-timeout', '10s'])?.writeTimeoutMs, 10_000)
  t.equal(serve([], { MEMLENS_WRITE_TIMEOUT: '1m' })?.writeTimeoutMs, 60_000)
})

t.test('wrong values are one-line errors', async (t) => {
  for (const v of ['-1', '1.5', 'many', '', '10000000']) {
    t.throws(() => serve(['--max-requests-in-flight', v]), ConfigError, `--max-requests-in-flight ${JSON.stringify(v)}`)
  }
  for (const v of ['0s', '50ms', 'soon', '600h']) t.throws(() => serve(['--write-timeout', v]), ConfigError, `--write-timeout ${v}`)
})

t.test('serve only', async (t) => {
  t.throws(() => parseConfig(['snapshot', '--max-requests-in-flight', '3'], {}), /does not apply/)
  t.throws(() => parseConfig(['top', '--write-timeout', '3s'], {}), /does not apply/)
})
