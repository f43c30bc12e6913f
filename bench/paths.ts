// Where things are, whether this runs compiled (dist/bench/) or as TypeScript under tap
// (bench/): the repository root is the first directory up that holds bench/floor.c.
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

function findRepo(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'bench', 'floor.c')) && existsSync(join(dir, 'package.json'))) return dir
    if (dirname(dir) === dir) throw new Error(`no repository root (with bench/floor.c) above ${from}`)
  }
}

export const REPO = findRepo(dirname(fileURLToPath(import.meta.url)))
export const BENCH_SRC = join(REPO, 'bench')
/** Results and the compiled C floor; ignored by git. */
export const OUT = join(BENCH_SRC, 'out')
export const FLOOR_SOURCE = join(BENCH_SRC, 'floor.c')
/** The `memlens` command as the package ships it (package.json "bin"). */
export const MAIN = join(REPO, 'dist', 'agent', 'main.js')
