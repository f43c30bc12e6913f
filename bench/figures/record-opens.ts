// Which files the agent really opens in one cycle, to check the C floor reads the same ones.
// Two seams, both put back afterwards: node:fs openSync (the JS reader; named ESM imports
// see the change through syncBuiltinESMExports) and the native addon's readFiles (which
// opens in C, out of sight of node:fs). Only successful opens count, as in the C floor.
import fs from 'node:fs'
import { syncBuiltinESMExports } from 'node:module'
import { nativeAddon, type NativeAddon } from '../agent-api.js'

export interface RecordedOpens {
  /** Paths opened, in order, one entry per open. */
  readonly paths: readonly string[]
  /** Whether the native reader's opens could be watched (false: it was on but not seen). */
  readonly nativeSeen: boolean
}

export async function recordOpens(fn: () => Promise<unknown>): Promise<RecordedOpens> {
  const paths: string[] = []
  const originalOpen = fs.openSync
  const recordingOpen = function (this: unknown, ...args: Parameters<typeof fs.openSync>): number {
    const fd = originalOpen.apply(this, args)
    paths.push(String(args[0]))
    return fd
  }
  const addon = nativeAddon()
  // The addon's function does not use `this`; call() keeps it bound to the addon all the same.
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const originalRead = addon?.readFiles
  const recordingRead: NativeAddon['readFiles'] = (dir, names, buf, out, maxBytes) => {
    if (originalRead === undefined) throw new Error('no native readFiles to wrap')
    const done = originalRead.call(addon, dir, names, buf, out, maxBytes)
    for (let i = 0; i < done; i++) {
      // out[2i + 1] < 0 is an error; out[2i] then says which step failed (0 open; later
      // steps, 1 read and up, come after a successful open).
      const failed = (out[2 * i + 1] ?? -1) < 0
      if (!failed || (out[2 * i] ?? 0) >= 1) paths.push(`${dir}/${names[i] ?? '?'}`)
    }
    return done
  }
  Reflect.set(fs, 'openSync', recordingOpen)
  syncBuiltinESMExports()
  const nativeSeen = addon === undefined || Reflect.set(addon, 'readFiles', recordingRead)
  try {
    await fn()
  } finally {
    Reflect.set(fs, 'openSync', originalOpen)
    syncBuiltinESMExports()
    if (addon !== undefined && originalRead !== undefined) Reflect.set(addon, 'readFiles', originalRead)
  }
  return { paths, nativeSeen }
}
