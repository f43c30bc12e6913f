// Builds the optional native reader (memlens_native.c) with node-gyp, against the headers of
// the Node that runs this script (node-gyp would otherwise download them, and CI and image
// builds reach no nodejs.org).
//
//   node native/build.mjs              `npm run build:native`: fails loudly
//   node native/build.mjs --optional   npm's install script: a failure (no compiler, no
//                                      python3, not Linux) prints one line and exits 0; the
//                                      agent then uses its JS reader (agent/native.ts)
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const optional = process.argv.includes('--optional')
const here = dirname(fileURLToPath(import.meta.url))

function fail(why) {
  if (!optional) {
    console.error(`memlens native reader: ${why}`)
    process.exit(1)
  }
  console.error(`memlens: native reader not built (${why}); the agent will use its JS reader`)
  process.exit(0)
}

if (process.platform !== 'linux') fail(`${process.platform} is not Linux`)
const prefix = dirname(dirname(process.execPath))
// npm sets npm_config_node_gyp to its own bundled node-gyp; run directly, the one of the npm
// beside this node; `node-gyp` on PATH otherwise.
const gyp = [process.env['npm_config_node_gyp'], join(prefix, 'lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js')].find(
  (p) => p !== undefined && p !== '' && existsSync(p),
)
const [cmd, pre] = gyp !== undefined ? [process.execPath, [gyp]] : ['node-gyp', []]
const nodedir = existsSync(join(prefix, 'include', 'node', 'node_api.h')) ? [`--nodedir=${prefix}`] : []
const r = spawnSync(cmd, [...pre, 'rebuild', ...nodedir], {
  cwd: here,
  encoding: 'utf8',
  stdio: optional ? 'pipe' : 'inherit',
})
if (r.error !== undefined) fail(r.error.message)
if (r.status !== 0) {
  const lines = `${r.stderr ?? ''}`.split('\n').map((l) => l.trim())
  const cause = lines.find((l) => /error:|No such file|not found|Could not find/i.test(l)) ?? lines.find((l) => l.startsWith('gyp ERR!'))
  fail(`node-gyp exited ${r.status}${cause === undefined ? '' : `: ${cause}`}`)
}
