// memlens benchmark: `npm run bench -- [--real | --cost | --churn] [options]` (USAGE in
// args.ts). `npm run bench` compiles agent/ and bench/ (tsconfig.bench.json) and runs this
// from dist/bench/. The goals are reported, never asserted: the exit code is 0 whatever the
// figures are, 1 only when a measurement could not be made, 2 for a usage error.
import { parseOptions, UsageError, USAGE, type Options } from './args.js'
import { runChurn } from './churn/run.js'
import { runCost } from './cost/run.js'
import { existsSync } from 'node:fs'
import { runFigures } from './figures/run.js'
import { closeConnections } from './http.js'
import { MAIN } from './paths.js'

function options(): Options | number {
  try {
    const o = parseOptions(process.argv.slice(2))
    if (o.help) {
      console.log(USAGE)
      return 0
    }
    return o
  } catch (er) {
    if (!(er instanceof UsageError)) throw er
    console.error(`bench: ${er.message}\n\n${USAGE}`)
    return 2
  }
}

async function main(): Promise<number> {
  const o = options()
  if (typeof o === 'number') return o
  if (!existsSync(MAIN)) {
    console.error(`bench: ${MAIN} does not exist; run "npm run bench" (it builds first) or "npm run build"`)
    return 1
  }
  try {
    switch (o.mode) {
      case 'figures':
      case 'real':
        return await runFigures(o)
      case 'cost':
        return await runCost(o)
      case 'churn':
        return await runChurn(o)
    }
  } finally {
    closeConnections()
  }
}

process.exitCode = await main()
