// promtool checks the rules file and runs the unit tests beside this file
// (*.promtest.yaml: input series, the alerts expected at given times, recorded samples).
import { spawnSync } from 'node:child_process'
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { RULES_FILE } from './rules-file.js'
import { findTool, required, skipReason } from './tools.js'

const here = fileURLToPath(new URL('.', import.meta.url))
const promtests = readdirSync(here)
  .filter((f) => f.endsWith('.promtest.yaml'))
  .sort()
const promtool = findTool('promtool')
const skip = skipReason(promtool)

const run = (bin: string, args: readonly string[], cwd?: string) => {
  const res = spawnSync(bin, args, { encoding: 'utf8', timeout: 120_000, cwd })
  if (res.error !== undefined) throw res.error
  return { status: res.status, output: `${res.stdout}${res.stderr}` }
}

t.test('promtool check rules', { skip }, async (t) => {
  const { bin, version } = required(promtool)
  t.comment(version)
  const res = run(bin, ['check', 'rules', RULES_FILE])
  t.equal(res.status, 0, 'the rules load', { output: res.output })
  t.match(res.output, /SUCCESS: \d+ rules found/)
})

t.test('promtool test rules', { skip }, async (t) => {
  const { bin } = required(promtool)
  t.ok(promtests.length >= 4, `unit test files: ${promtests.join(', ')}`)
  for (const file of promtests) {
    const res = run(bin, ['test', 'rules', `${here}${file}`])
    t.equal(res.status, 0, file, { output: res.output })
  }
})

// The swinging-counter case must fail against a ratio that reads only the latest sample: the
// unit tests can tell the window from no window.
t.test('the dirty-page tests fail without the window', { skip }, async (t) => {
  const { bin } = required(promtool)
  const window = 'max_over_time(memlens:container_memory_dirty_writeback_bytes:sum[2m])'
  const rules = readFileSync(RULES_FILE, 'utf8')
  t.ok(rules.includes(window), 'the ratio takes the maximum over a window')
  const dir = t.testdir({})
  mkdirSync(`${dir}/rules`)
  mkdirSync(`${dir}/test/rules`, { recursive: true })
  writeFileSync(`${dir}/rules/memlens.rules.yaml`, rules.replace(window, 'memlens:container_memory_dirty_writeback_bytes:sum'))
  copyFileSync(`${here}dirty-pages.promtest.yaml`, `${dir}/test/rules/dirty-pages.promtest.yaml`)
  const res = run(bin, ['test', 'rules', 'test/rules/dirty-pages.promtest.yaml'], dir)
  t.not(res.status, 0, 'promtool reports the failure')
  t.match(res.output, /pod="importer-disk"/, 'for the swinging writer')
})
