import t from 'tap'
import { durationMs, parseOptions, UsageError } from '../../bench/args.js'

t.test('the default mode: the figures on both versions, 500 pods', async (t) => {
  const o = parseOptions([])
  t.equal(o.mode, 'figures')
  t.same(o.versions, ['v1', 'v2'])
  t.equal(o.pods, 500)
  t.equal(o.containersPerPod, 4)
  t.equal(parseOptions(['--quick']).pods, 50)
  t.equal(parseOptions(['--pods', '200', '--containers', '2']).pods, 200)
})

t.test('each mode has its own defaults', async (t) => {
  const real = parseOptions(['--real'])
  t.equal(real.mode, 'real')
  t.same(real.versions, ['v1'])
  const cost = parseOptions(['--cost'])
  t.equal(cost.mode, 'cost')
  t.same(cost.versions, ['v2'])
  t.same(cost.sizes, [200, 1000, 2500])
  t.equal(cost.apiPods, 100)
  t.equal(cost.interval, '1s')
  t.equal(cost.intervalMs, 1000)
  t.equal(cost.windowSeconds, 10)
  t.same(parseOptions(['--cost', '--quick']).sizes, [200, 1000])
  const churn = parseOptions(['--churn'])
  t.equal(churn.mode, 'churn')
  t.equal(churn.pods, 50)
  t.equal(churn.minutes, 1)
  t.equal(churn.rate, 10)
  t.equal(churn.interval, '500ms')
  t.equal(churn.kube, false)
  t.equal(parseOptions(['--churn', '--minutes', '0.5', '--kube']).minutes, 0.5)
})

t.test('versions are checked and deduplicated', async (t) => {
  t.same(parseOptions(['--versions', 'v2, v1,v2']).versions, ['v2', 'v1'])
  t.throws(() => parseOptions(['--versions', 'v3']), UsageError)
})

t.test('refusals say which flag and why', async (t) => {
  const refuses = (argv: string[], message: RegExp): void => {
    t.throws(() => parseOptions(argv), { name: 'UsageError', message }, argv.join(' '))
  }
  refuses(['--cost', '--churn'], /choose one mode: --cost and --churn/)
  refuses(['--pods', '0'], /--pods: "0" is not a positive whole number/)
  refuses(['--pods', 'ten'], /--pods/)
  refuses(['--pods', '2.5'], /whole/)
  refuses(['--cost', '--sizes', '200,,1000'], /--sizes/)
  refuses(['--sizes', '200'], /--sizes applies to --cost only/)
  refuses(['--kube'], /--kube applies to --churn only/)
  refuses(['--cost', '--pods', '10'], /--pods applies to/)
  refuses(['--churn', '--interval', '50ms'], /--interval: "50ms" is not a duration of at least 100ms/)
  refuses(['--nope'], /nope/)
  refuses(['extra'], /extra/)
})

t.test('durationMs reads the forms the bench passes to --interval', async (t) => {
  t.equal(durationMs('500ms'), 500)
  t.equal(durationMs('1s'), 1000)
  t.equal(durationMs('1.5s'), 1500)
  t.equal(durationMs('2m'), 120_000)
  t.equal(durationMs('5'), undefined)
  t.equal(durationMs('1h'), undefined)
})
