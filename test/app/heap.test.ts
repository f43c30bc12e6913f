// agent/app/heap.ts keeps V8's young generation at its first size from inside the process: the
// same allocation pattern grows it to tens of MiB without the flag and leaves it at its first
// size with it, on whichever Node runs the tests (CI runs Node 20 and Node 24), and the
// memlens command loads that module before anything else.
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { YOUNG_GENERATION_FLAG } from '../../agent/app/heap.js'

const fixture = fileURLToPath(new URL('./fixtures/young-generation.mjs', import.meta.url))
const MiB = 1024 * 1024

function youngGeneration(...args: string[]): number {
  // A plain Node: tap's loaders (in NODE_OPTIONS) would fill the heap before the flag is set.
  const env = { ...process.env }
  delete env['NODE_OPTIONS']
  const out = execFileSync(process.execPath, [fixture, ...args], { encoding: 'utf8', env })
  return Number(out.trim())
}

t.test('the flag keeps the young generation at its first size', async (t) => {
  const without = youngGeneration()
  const withFlag = youngGeneration(YOUNG_GENERATION_FLAG)
  t.ok(without >= 8 * MiB, `without it the young generation grows (${(without / MiB).toFixed(1)} MiB): the pattern is a real test`)
  // Its first size is 2 MiB (two halves of 1 MiB); a busy machine has seen one step more.
  t.ok(withFlag <= 4 * MiB && withFlag * 4 <= without, `with it, ${(withFlag / MiB).toFixed(1)} MiB`)
})

t.test('the memlens command sets it before it loads anything else', async (t) => {
  const main = readFileSync(fileURLToPath(new URL('../../agent/main.ts', import.meta.url)), 'utf8')
  const imports = main.split('\n').filter((l) => l.startsWith('import '))
  t.equal(imports[0], "import './app/heap.js'")
})
