// Walks the memory hierarchy and yields the cgroups to read.
//
// A generator, so the collector can take the refs in slices and give the event loop back in
// between; depth first with an explicit stack (no nested generators: a `yield*` chain costs a
// hop per level on every value). A parent is yielded before its children, so a pod comes before
// its containers; siblings come in name order (how both listers return them).
//
// Cgroups appear and vanish all the time: a directory that is gone by the time we read it
// (ENOENT, ENOTDIR) is skipped silently, and so is everything below it. Symbolic links are
// never followed (readdir reports them as links, not directories), so a link loop cannot
// trap the walk, and the walk stops MAX_DEPTH levels below where it starts, reporting the
// directory it did not descend into (real trees are under ten levels deep; kubelet's pod
// tree is four).
import { isGone } from '../kernel/errors.js'
import { PseudoFileReader } from '../kernel/fs.js'
import type { CgroupRef, Scope } from '../model.js'
import type { Hierarchy } from './hierarchy.js'
import { enter, isTerminal, OUTSIDE, positionOf, type Position } from './layout.js'

export interface DiscoverOptions {
  /** kubernetes: pod and container cgroups only; all: every cgroup at or below parent. */
  readonly scope: Scope
  /** Where to start, relative to the hierarchy root: '/' or e.g. '/kubepods.slice'. */
  readonly parent: string
  /**
   * A directory that exists but cannot be listed (EACCES, ELOOP, ...), by cgroup id; the walk
   * goes on without its subtree. Also called once when `parent` itself does not exist, since
   * that is a configuration problem rather than a cgroup that just went away.
   */
  readonly onError?: (path: string, er: unknown) => void
  /** Lists subdirectories (the collector's reader: native when it loads); node:fs by default. */
  readonly lister?: DirectoryLister
}

export interface DirectoryLister {
  listDirectories(path: string): string[]
}

let defaultLister: DirectoryLister | undefined

/** Levels below the start the walk descends at most. */
export const MAX_DEPTH = 32

interface Pending {
  readonly id: string
  readonly pos: Position
  readonly depth: number
}

/** Yields pods and containers (kubernetes scope) or every cgroup (all scope) below the parent. */
export function* discover(h: Hierarchy, opts: DiscoverOptions): Generator<CgroupRef, void, undefined> {
  const kubernetes = opts.scope === 'kubernetes'
  const start = normalizeId(opts.parent)
  const stack: Pending[] = [{ id: start, pos: kubernetes ? positionOf(start) : OUTSIDE, depth: 0 }]
  const lister = opts.lister ?? (defaultLister ??= new PseudoFileReader({ native: false }))
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const { id, pos, depth } = item
    // Containers are leaves for us: what is below (crun's `container/`) belongs to them.
    const descend = !kubernetes || !isTerminal(pos)
    // A leaf found in its parent's listing just now needs no readdir; the start is unchecked.
    const children = descend || id === start ? list(lister, h, id, id === start, opts.onError) : []
    if (children === undefined) continue
    const ref = kubernetes ? k8sRef(id, pos) : { id, kind: 'cgroup' as const }
    if (ref !== undefined) yield ref
    if (!descend) continue
    if (depth === MAX_DEPTH) {
      if (children.length > 0) {
        opts.onError?.(
          id,
          Object.assign(new Error(`ETOODEEP: more than ${MAX_DEPTH} levels below ${start}; not descending further, '${id}'`), {
            code: 'ETOODEEP',
          }),
        )
      }
      continue
    }
    // Reverse, so that siblings come out in listing order.
    for (let i = children.length - 1; i >= 0; i--) {
      const child = children[i]
      if (child === undefined) continue
      const childPos = kubernetes ? enter(pos, child) : OUTSIDE
      if (childPos.at !== 'ignored') stack.push({ id: childId(id, child), pos: childPos, depth: depth + 1 })
    }
  }
}

/** The subdirectories of a cgroup directory; undefined when it is gone; [] when it is unreadable. */
function list(
  lister: DirectoryLister,
  h: Hierarchy,
  id: string,
  isStart: boolean,
  onError: DiscoverOptions['onError'],
): string[] | undefined {
  try {
    return lister.listDirectories(id === '/' ? h.root : h.root + id)
  } catch (er) {
    if (isStart && isGone(er)) {
      onError?.(id, new Error(`parent cgroup ${id} does not exist under ${h.root}`, { cause: er }))
      return undefined
    }
    if (isGone(er)) return undefined
    // It exists, so it is still worth reading; we just cannot see below it this time.
    onError?.(id, er)
    return []
  }
}

function k8sRef(id: string, pos: Position): CgroupRef | undefined {
  if (pos.at === 'pod') return { id, kind: 'pod', podUid: pos.podUid, qos: pos.qos }
  if (pos.at !== 'container') return undefined
  const { podUid, qos, containerId, runtime } = pos
  return runtime === undefined
    ? { id, kind: 'container', podUid, containerId, qos }
    : { id, kind: 'container', podUid, containerId, qos, runtime }
}

function childId(parent: string, name: string): string {
  return parent === '/' ? `/${name}` : `${parent}/${name}`
}

/** '/', '', 'kubepods.slice/', '//kubepods.slice' → '/' and '/kubepods.slice'. */
function normalizeId(parent: string): string {
  const parts = parent.split('/').filter((p) => p !== '')
  return `/${parts.join('/')}`
}
