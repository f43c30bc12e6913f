import { PassThrough } from 'node:stream'
import t from 'tap'
import { textWidth } from '../../../agent/cli/format.js'
import { keyActions } from '../../../agent/cli/top/keys.js'
import { runTop, type ScheduleTimer, type TopOptions } from '../../../agent/cli/top/loop.js'
import { renderScreen, type TopView } from '../../../agent/cli/top/screen.js'
import { ANSI } from '../../../agent/cli/top/terminal.js'
import type { SnapshotJson } from '../../../agent/expose/snapshot-json.js'
import { container, snapshot } from '../snapshot-fixture.js'

const Mi = 1024 * 1024

// Working set order: big, mid, small; RSS order: small, big, mid.
const big = container({ namespace: 'ns', pod: 'big', container: 'c' }, { workingSetBytes: 300 * Mi, rssBytes: 20 * Mi })
const mid = container({ namespace: 'ns', pod: 'mid', container: 'c' }, { workingSetBytes: 200 * Mi, rssBytes: 10 * Mi })
const small = container({ namespace: 'ns', pod: 'small', container: 'c' }, { workingSetBytes: 100 * Mi, rssBytes: 30 * Mi })
const podRow = {
  id: '/kubepods/burstable/podp',
  podUid: null,
  qos: null,
  namespace: 'ns',
  pod: 'the-pod',
  memory: big.memory,
  events: big.events,
  pressure: big.pressure,
  processes: null,
  oom: null,
}
const three = snapshot([mid, small, big], { pods: [podRow] })

const ANSI_PATTERN = /\u001b\[[0-9;?]*[A-Za-z]/g
const strip = (s: string): string => s.replace(ANSI_PATTERN, '')

/** Lets stream events, fetch promises and the loop's continuations run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve))
}

interface ManualTimers {
  setTimer: ScheduleTimer
  fire: () => void
  pending: () => number
  delays: number[]
}

function manualTimers(): ManualTimers {
  let pending: (() => void)[] = []
  const delays: number[] = []
  const setTimer: ScheduleTimer = (fn, ms) => {
    pending.push(fn)
    delays.push(ms)
    return () => {
      pending = pending.filter((f) => f !== fn)
    }
  }
  return {
    setTimer,
    delays,
    pending: () => pending.length,
    fire: () => {
      const due = pending
      pending = []
      for (const fn of due) fn()
    },
  }
}

interface Terminal {
  input: PassThrough & { isTTY: boolean; setRawMode: (mode: boolean) => void }
  output: PassThrough & { columns: number; rows: number; isTTY: boolean }
  rawModes: boolean[]
  written: () => string
  /** The lines of the last full-screen frame, ANSI removed. */
  screen: () => string[]
}

function terminal(opts: { columns?: number; rows?: number; isTTY?: boolean } = {}): Terminal {
  const rawModes: boolean[] = []
  const input = Object.assign(new PassThrough(), {
    isTTY: opts.isTTY ?? true,
    setRawMode: (mode: boolean): void => {
      rawModes.push(mode)
    },
  })
  const output = Object.assign(new PassThrough(), {
    columns: opts.columns ?? 80,
    rows: opts.rows ?? 24,
    isTTY: opts.isTTY ?? true,
  })
  let text = ''
  output.setEncoding('utf8')
  output.on('data', (chunk: string) => {
    text += chunk
  })
  return {
    input,
    output,
    rawModes,
    written: () => text,
    screen: () => {
      const frames = text.split(ANSI.home)
      return strip(frames[frames.length - 1] ?? '').split('\n')
    },
  }
}

const fixedNow = (): Date => new Date(2025, 2, 4, 5, 6, 7)

/** runTop on a fake terminal with manual timers and a fixed clock; options override these. */
function startTop(term: Terminal, timers: ManualTimers, options: Partial<TopOptions> = {}): Promise<void> {
  return runTop({
    fetch: async () => three,
    intervalMs: 1000,
    input: term.input,
    output: term.output,
    sort: 'wset',
    now: fixedNow,
    setTimer: timers.setTimer,
    ...options,
  })
}

function firstRowName(screen: readonly string[]): string | undefined {
  const header = screen.findIndex((l) => l.startsWith('NAME '))
  return screen[header + 1]?.split(' ')[0]
}

t.test('draws the table full-screen, q quits and restores the terminal', async (t) => {
  const term = terminal()
  const timers = manualTimers()
  let fetches = 0
  const done = startTop(term, timers, {
    fetch: async () => {
      fetches++
      return three
    },
    intervalMs: 2000,
  })
  await settle()
  t.same(term.rawModes, [true], 'raw mode on a terminal')
  t.ok(term.written().startsWith(ANSI.enterAltScreen + ANSI.hideCursor), 'alternate screen, cursor hidden')
  const screen = term.screen()
  t.match(screen[0], /^cgroup v2, kubernetes, 3 containers/)
  t.match(screen[1], /^05:06:07  sort wset desc  \[wrscdblpon\] sort \[R\]ev \[tab\] pods \[q\]uit$/, 'the key help fits 80 columns')
  t.match(screen[2], /^NAME +WSET +RSS/)
  t.same(
    screen.slice(3).map((l) => l.split(' ')[0]),
    ['ns/big/c', 'ns/mid/c', 'ns/small/c'],
  )
  t.same(timers.delays, [2000], 'next fetch scheduled after the interval')

  timers.fire()
  await settle()
  t.equal(fetches, 2, 'refetched when the timer fired')

  term.input.write('q')
  await done
  t.same(term.rawModes, [true, false], 'raw mode restored')
  t.ok(term.written().endsWith(ANSI.reset + ANSI.showCursor + ANSI.leaveAltScreen), 'cursor shown, screen left')
  t.equal(timers.pending(), 0, 'no timer left behind')
  t.equal(term.input.listenerCount('data'), 0)
  t.equal(term.output.listenerCount('resize'), 0)
  t.ok(term.input.isPaused(), 'stdin paused so the process can exit')
})

t.test('keys change the sort order without refetching', async (t) => {
  const term = terminal()
  const timers = manualTimers()
  let fetches = 0
  const done = startTop(term, timers, {
    fetch: async () => {
      fetches++
      return three
    },
  })
  await settle()
  t.equal(firstRowName(term.screen()), 'ns/big/c')

  const press = async (keys: string): Promise<string[]> => {
    term.input.write(keys)
    await settle()
    return term.screen()
  }
  let screen = await press('r')
  t.equal(firstRowName(screen), 'ns/small/c', 'r: largest RSS first')
  t.match(screen[1], /sort rss desc/)
  screen = await press('R')
  t.equal(firstRowName(screen), 'ns/mid/c', 'R: reversed')
  t.match(screen[1], /sort rss asc/)
  screen = await press('n')
  t.equal(firstRowName(screen), 'ns/big/c', 'n: by name, A to Z; a new key resets the direction')
  t.match(screen[1], /sort name asc/)
  screen = await press('w\u001b[A')
  t.equal(firstRowName(screen), 'ns/big/c', 'arrow keys are ignored')
  t.match(screen[1], /sort wset desc/)
  screen = await press('\t')
  t.match(screen[0], /1 pod /, 'tab: pods')
  t.match(screen[1], /\[tab\] containers/)
  t.equal(firstRowName(screen), 'ns/the-pod')
  screen = await press('x')
  t.equal(fetches, 1, 'keys redraw the data already there')

  term.input.write('\u0003')
  await done
  t.same(term.rawModes, [true, false], 'Ctrl-C quits in raw mode')
})

t.test('fetch errors show in the status line and the data stays', async (t) => {
  const term = terminal()
  const timers = manualTimers()
  const answers: (SnapshotJson | Error)[] = [new Error('connect ECONNREFUSED\n127.0.0.1:9100'), three, new Error('socket hang up')]
  const done = startTop(term, timers, {
    fetch: async () => {
      const next = answers.shift()
      if (next === undefined || next instanceof Error) throw next ?? new Error('no more')
      return next
    },
  })
  await settle()
  let screen = term.screen()
  t.match(screen[1], /^error 05:06:07: connect ECONNREFUSED 127\.0\.0\.1:9100/, 'first fetch failed: shown, one line')
  t.equal(screen.length, 2, 'no table yet')
  t.equal(timers.pending(), 1, 'still polling after an error')

  timers.fire()
  await settle()
  t.equal(firstRowName(term.screen()), 'ns/big/c')

  timers.fire()
  await settle()
  screen = term.screen()
  t.match(screen[1], /^error 05:06:07: socket hang up \(data from 05:06:07\)/)
  t.same(
    screen.slice(3).map((l) => l.split(' ')[0]),
    ['ns/big/c', 'ns/mid/c', 'ns/small/c'],
    'last good data kept',
  )

  term.input.write('q')
  await done
})

t.test('rows are cut to the terminal height', async (t) => {
  const many = snapshot(
    Array.from({ length: 30 }, (_, i) => container({ namespace: 'ns', pod: `p${i}`, container: 'c' }, { workingSetBytes: i * Mi })),
  )
  const term = terminal({ rows: 8 })
  const timers = manualTimers()
  const done = startTop(term, timers, { fetch: async () => many })
  await settle()
  let screen = term.screen()
  t.equal(screen.length, 8, 'exactly the terminal height')
  t.same(
    screen.slice(3).map((l) => l.split(' ')[0]),
    ['ns/p29/c', 'ns/p28/c', 'ns/p27/c', 'ns/p26/c', 'ns/p25/c'],
  )
  t.match(screen[1], /5\/30 rows/)
  t.match(
    renderScreen(viewOf(many), { columns: 80, rows: 8 }).lines[1],
    /^05:06:07  sort wset desc  5\/30 rows  \[wrscdblpon\]/,
    'help still fits with a row count',
  )
  t.notOk(term.written().endsWith('\n'), 'no newline after the bottom row: it would scroll')

  term.output.rows = 2
  term.output.emit('resize')
  await settle()
  screen = term.screen()
  t.equal(screen.length, 2, 'shrinks on resize')

  term.input.write('q')
  await done
})

t.test('no line is ever wider than the terminal, also after a resize', async (t) => {
  const longNames = snapshot([
    container(
      {
        namespace: 'observability-platform-production',
        pod: 'prometheus-kube-prometheus-stack-prometheus-0',
        container: 'config-reloader',
      },
      {
        workingSetBytes: 1023 * Mi,
        rssBytes: 1023 * Mi,
        cacheBytes: 1023 * Mi,
        dirtyBytes: 1023 * Mi,
        writebackBytes: 1023 * Mi,
        limitBytes: 1024 * Mi,
      },
    ),
    big,
  ])
  const check = (term: Terminal, columns: number): void => {
    const screen = term.screen()
    t.ok(screen.length >= 4, `a table at ${columns} columns`)
    for (const line of screen) t.ok(textWidth(line) <= columns, `${columns} columns: ${JSON.stringify(line)}`)
  }
  const term = terminal({ columns: 80 })
  const timers = manualTimers()
  const fail = { now: false }
  const done = startTop(term, timers, {
    fetch: async () => {
      if (fail.now) throw new Error('x'.repeat(300))
      return longNames
    },
  })
  await settle()
  check(term, 80)
  t.equal(textWidth(term.screen()[3] ?? ''), 80, 'the long row uses the full width')
  for (const columns of [120, 40, 20]) {
    term.output.columns = columns
    term.output.emit('resize')
    await settle()
    check(term, columns)
  }
  fail.now = true
  timers.fire()
  await settle()
  check(term, 20)
  term.input.write('q')
  await done
})

t.test('into a pipe: one plain table per interval, no escape codes, no raw mode', async (t) => {
  const term = terminal({ isTTY: false })
  const timers = manualTimers()
  const answers: (SnapshotJson | Error)[] = [three, new Error('boom'), three]
  const done = runTop({
    fetch: async () => {
      const next = answers.shift() ?? three
      if (next instanceof Error) throw next
      return next
    },
    intervalMs: 5000,
    input: term.input,
    output: term.output,
    sort: 'rss',
    setTimer: timers.setTimer,
  })
  await settle()
  timers.fire()
  await settle()
  timers.fire()
  await settle()
  const text = term.written()
  t.equal(text, strip(text), 'no ANSI codes')
  t.same(term.rawModes, [], 'terminal left in cooked mode')
  t.equal(text.match(/^cgroup v2/gm)?.length, 2, 'two tables')
  t.match(text, /\nerror: boom\n/)
  t.match(text, /^cgroup v2.*\nNAME +WSET.*\nns\/small\/c /, 'the requested sort')
  for (const line of text.split('\n')) t.ok(textWidth(line) <= 80)
  term.input.write('q\n')
  await done
})

t.test('the signal ends it; an aborted signal never touches the terminal', async (t) => {
  const term = terminal()
  const ac = new AbortController()
  const done = startTop(term, manualTimers(), { signal: ac.signal })
  await settle()
  ac.abort()
  await done
  t.same(term.rawModes, [true, false])
  t.ok(term.written().endsWith(ANSI.leaveAltScreen))

  const quiet = terminal()
  await startTop(quiet, manualTimers(), { signal: AbortSignal.abort() })
  await settle()
  t.equal(quiet.written(), '')
  t.same(quiet.rawModes, [])
})

t.test('a fetch that ends after quit draws nothing', async (t) => {
  const term = terminal()
  let release: (s: SnapshotJson) => void = () => undefined
  const timers = manualTimers()
  const done = startTop(term, timers, { fetch: () => new Promise<SnapshotJson>((resolve) => (release = resolve)) })
  await settle()
  term.input.write('q')
  await done
  const before = term.written()
  release(three)
  await settle()
  t.equal(term.written(), before)
  t.equal(timers.pending(), 0, 'and schedules nothing')
})

t.test('a failure while drawing rejects, after restoring the terminal', async (t) => {
  const term = terminal()
  const write = term.output.write.bind(term.output)
  let explode = false
  term.output.write = ((chunk: string): boolean => {
    if (explode) {
      explode = false
      throw new Error('write failed')
    }
    return write(chunk)
  }) as typeof term.output.write
  const done = startTop(term, manualTimers())
  await settle()
  explode = true
  term.input.write('r')
  await t.rejects(done, { message: 'write failed' })
  t.same(term.rawModes, [true, false], 'raw mode off again')
  t.ok(term.written().endsWith(ANSI.leaveAltScreen))
})

t.test('a closed pipe (EPIPE) ends it quietly', async (t) => {
  const term = terminal({ isTTY: false })
  const done = startTop(term, manualTimers())
  await settle()
  term.output.emit('error', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }))
  await done
  t.pass('resolved')
})

t.test('keyActions', async (t) => {
  t.same(
    keyActions('wrscdblpon').map((a) => (a.type === 'sort' ? a.sort : a.type)),
    ['wset', 'rss', 'prss', 'cache', 'dirty', 'writeback', 'limit', 'pct', 'oom', 'name'],
  )
  t.same(keyActions('R\tq\u0003'), [{ type: 'reverse' }, { type: 'kind' }, { type: 'quit' }, { type: 'quit' }])
  t.same(keyActions('\u001bOR'), [], 'F3 is not R')
  t.same(keyActions('xyz W'), [])
})

function viewOf(data: SnapshotJson): TopView {
  return { sort: 'wset', reverse: false, kind: 'containers', data, updatedAt: fixedNow(), error: undefined }
}

t.test('renderScreen before any data', async (t) => {
  const view: TopView = { sort: 'wset', reverse: false, kind: 'containers', data: undefined, updatedAt: undefined, error: undefined }
  const screen = renderScreen(view, { columns: 40, rows: 10 })
  t.same(screen.lines, ['memlens top', 'waiting for data  sort wset desc'], 'status parts that do not fit are dropped whole')
  t.equal(screen.headerAt, undefined)
  t.same(renderScreen(view, { columns: 30, rows: 0 }).lines, [])
})
