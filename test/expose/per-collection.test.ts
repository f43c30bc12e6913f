import t from 'tap'
import { PerCollection } from '../../agent/expose/per-collection.js'

t.test('derived when first asked, shared until the next source', async (t) => {
  const seen: number[] = []
  const body = new PerCollection((n: number) => {
    seen.push(n)
    return `body ${n}`
  })
  t.equal(body.get(), undefined, 'nothing before a source')
  t.notOk(body.ready)
  body.set(1)
  body.set(2)
  t.ok(body.ready)
  t.same(seen, [], 'setting a source derives nothing')
  const [a, b] = [body.get(), body.get()]
  t.equal(a, b, 'concurrent requests share one promise')
  t.same(await Promise.all([a, b]), ['body 2', 'body 2'])
  t.equal(await body.get(), 'body 2')
  t.same(seen, [2], 'once, from the latest source')
  body.set(3)
  t.equal(await body.get(), 'body 3')
  t.equal(body.derived, 2)
})

t.test('derivations run one at a time, each from the source it was asked for', async (t) => {
  let running = 0
  let most = 0
  const body = new PerCollection(async (n: number) => {
    most = Math.max(most, ++running)
    await new Promise((r) => setImmediate(r))
    running--
    return n
  })
  body.set(1)
  const first = body.get()
  body.set(2) // a collection arrives while the first render runs
  const second = body.get()
  t.same(await Promise.all([first, second]), [1, 2])
  t.equal(most, 1, 'never two at once (they may share a renderer)')
})

t.test('a failure is not kept: the next request tries again', async (t) => {
  let fail = true
  const body = new PerCollection(() => {
    if (fail) throw new Error('boom')
    return 'ok'
  })
  body.set(1)
  await t.rejects(async () => await body.get(), /boom/)
  fail = false
  t.equal(await body.get(), 'ok')
  t.equal(body.derived, 2)
})
