// The optional native reader (native/memlens_native.c): one Node-API call reads all of a
// cgroup's files, where the JS path pays Node's fixed cost of three fs calls per file. Built
// by `npm ci` when a compiler is there; when it is not, or it fails to load, or the config
// turns it off (MEMLENS_NATIVE=0), the agent reads through node:fs with the same results (fs.ts).
import { createRequire } from 'node:module'
import { errorCode, errorMessage } from './errors.js'

/** The interface version memlens_native.c exports; an addon built from older source is not used. */
export const NATIVE_ABI = 3

export interface NativeAddon {
  readonly abi: number
  /**
   * Reads dir/name for each name into consecutive regions of buf, refusing what is not a
   * regular file or is longer than maxBytes. out[2i], out[2i+1]: offset and length, or on
   * failure the step (0 open, 1 read, 2 fstat: -errno; 3 not regular: -st_mode's type;
   * 4 longer than maxBytes: -EFBIG). Returns how many files were done; fewer than
   * names.length when the next one did not fit in buf.
   */
  readFiles(dir: string, names: readonly string[], buf: Buffer, out: Int32Array, maxBytes: number): number
  /** The names of dir's subdirectories (symbolic links are not), or -errno. */
  listDirs(dir: string): string[] | number
}

export type NativeState = { readonly loaded: true; readonly path: string } | { readonly loaded: false; readonly reason: string }

// agent/kernel/native.ts under tap's loader, dist/agent/kernel/native.js when built: the same file either way.
const CANDIDATES = ['../../native/build/Release/memlens_native.node', '../../../native/build/Release/memlens_native.node']

let loaded: { readonly addon: NativeAddon | undefined; readonly state: NativeState } | undefined

function isAddon(x: unknown): x is NativeAddon {
  return (
    typeof x === 'object' &&
    x !== null &&
    'readFiles' in x &&
    typeof x.readFiles === 'function' &&
    'listDirs' in x &&
    typeof x.listDirs === 'function' &&
    'abi' in x &&
    x.abi === NATIVE_ABI
  )
}

function load(): { readonly addon: NativeAddon | undefined; readonly state: NativeState } {
  const require = createRequire(import.meta.url)
  for (const rel of CANDIDATES) {
    let path: string
    try {
      path = require.resolve(rel)
    } catch (er) {
      if (errorCode(er) === 'MODULE_NOT_FOUND') continue
      return { addon: undefined, state: { loaded: false, reason: errorMessage(er) } }
    }
    try {
      const addon: unknown = require(path)
      if (isAddon(addon)) return { addon, state: { loaded: true, path } }
      return {
        addon: undefined,
        state: { loaded: false, reason: `${path} is not interface ${NATIVE_ABI} (built from older source: npm run build:native)` },
      }
    } catch (er) {
      return { addon: undefined, state: { loaded: false, reason: `${path}: ${errorMessage(er)}` } }
    }
  }
  return { addon: undefined, state: { loaded: false, reason: 'not built (npm run build:native)' } }
}

/** The addon, loaded on first use; undefined when it cannot be loaded. */
export function nativeAddon(): NativeAddon | undefined {
  loaded ??= load()
  return loaded.addon
}

/** Whether the addon loads and why not, for one debug line at start. */
export function nativeState(): NativeState {
  loaded ??= load()
  return loaded.state
}
