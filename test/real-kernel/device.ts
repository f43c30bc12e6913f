// Runs the real-kernel scenarios without tap, on a machine that has only Node and memlens's runtime
// dependencies: a borrowed cgroup v2 machine (test/real-kernel/device-v2.sh). Prints TAP-like
// lines and a closing count; exits 1 on any failure, 2 when no hierarchy can be used.
import { isDeepStrictEqual } from 'node:util'
import { v1Hierarchy, v1Unavailable, v2Hierarchy, type RealHierarchy } from './own-cgroup.js'
import { scenariosFor, type Checks, type Message } from './scenarios.js'

let passed = 0
let failed = 0

function report(ok: boolean, message: Message, detail?: string): boolean {
  if (ok) passed++
  else failed++
  console.log(`    ${ok ? 'ok' : 'not ok'} - ${message[0] ?? ''}${ok || detail === undefined ? '' : `\n      ${detail}`}`)
  return ok
}

const test = (p: RegExp | string, s: unknown): boolean => (typeof p === 'string' ? String(s).includes(p) : p.test(String(s)))

function checks(teardowns: (() => unknown)[]): Checks {
  return {
    ok: (v, ...m) => report(Boolean(v), m, `value: ${String(v)}`),
    equal: (f, w, ...m) => report(f === w, m, `found ${String(f)}, wanted ${String(w)}`),
    not: (f, w, ...m) => report(f !== w, m, `found ${String(f)}, which it must not be`),
    match: (f, p, ...m) => report(test(p, f), m, `no match for ${String(p)}`),
    notMatch: (f, p, ...m) => report(!test(p, f), m, `matches ${String(p)}`),
    same: (f, w, ...m) => report(isDeepStrictEqual(f, w), m, `found ${JSON.stringify(f)}`),
    pass: (...m) => report(true, m),
    comment: (...m) => console.log(`    # ${m.map(String).join(' ')}`),
    teardown: (fn) => void teardowns.push(fn),
  }
}

async function main(): Promise<number> {
  const version = process.argv[2] === 'v1' ? 'v1' : 'v2'
  let h: RealHierarchy | string
  if (version === 'v1') h = v1Unavailable() ?? v1Hierarchy()
  else h = v2Hierarchy()
  if (typeof h === 'string') {
    console.log(`no cgroup ${version} hierarchy to test: ${h}`)
    return 2
  }
  console.log(`# cgroup ${h.version}: children under ${h.root}${h.parent}`)
  const tag = `memlens-test-${process.pid}-${Date.now().toString(36)}`
  for (const s of scenariosFor(h.version)) {
    console.log(`# ${s.name}`)
    const teardowns: (() => unknown)[] = []
    try {
      await s.run(checks(teardowns), h, tag)
    } catch (er) {
      report(false, ['the scenario threw'], er instanceof Error ? (er.stack ?? er.message) : String(er))
    }
    for (const fn of teardowns.reverse()) {
      try {
        await fn()
      } catch (er) {
        report(false, ['teardown'], String(er))
      }
    }
  }
  console.log(`${passed} passed, ${failed} failed`)
  return failed === 0 ? 0 : 1
}

process.exitCode = await main()
