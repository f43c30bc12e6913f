// The package version, read once from package.json (from agent/app/ or dist/agent/app/).
import { readFileSync } from 'node:fs'

function readVersion(): string {
  for (const rel of ['../../package.json', '../../../package.json']) {
    try {
      const pkg: unknown = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8'))
      if (
        typeof pkg === 'object' &&
        pkg !== null &&
        'name' in pkg &&
        pkg.name === 'memlens' &&
        'version' in pkg &&
        typeof pkg.version === 'string'
      ) {
        return pkg.version
      }
    } catch {
      // not at this level; try the next
    }
  }
  return 'unknown'
}

export const VERSION = readVersion()
