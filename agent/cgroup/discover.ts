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
//
// In kubernetes scope most of a node's directories lie outside the pod tree (system.slice and
// every service in it, user.slice) and hold nothing to read. An OutsideCache, kept by the
// collector from one walk to the next, remembers which of them had nothing of the pod tree below
// them; walks then skip those and list them again only every refreshMs (docs/kernel.md §2.4).
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
  /** Kubernetes scope: skip directories outside the pod tree that had nothing of it below them. */
  readonly outside?: OutsideCache
}

/** How often a walk with an OutsideCache lists everything again: 30 s. */
export const OUTSIDE_REFRESH_MS = 30_000

/**
 * Directories outside the pod tree (position `outside`) under which the last full walk found no
 * kubepods root, pod or container: a walk skips them until refreshMs have passed since that
 * full walk, and the next walk is full again. A kubepods root, pod or container anywhere else is
 * found at once; one that appears below a skipped directory within refreshMs (a kubelet
 * --cgroup-root under system.slice, a container runtime that names its cgroups after the pod
 * wherever it is, layout.ts) waits for the next full walk.
 */
export class OutsideCache {
  readonly #refreshMs: number
  readonly #now: () => number
  #barren = new Set<string>()
  #fullAt = -Infinity

  constructor(refreshMs: number = OUTSIDE_REFRESH_MS, now: () => number = () => performance.now()) {
    this.#refreshMs = refreshMs
    this.#now = now
  }

  /** Whether the walk starting now lists everything; when it does, its end commits what it saw. */
  beginWalk(): FullWalk | undefined {
    const at = this.#now()
    if (at - this.#fullAt < this.#refreshMs) return undefined
    return new FullWalk((barren) => {
      this.#barren = barren
      this.#fullAt = at
    })
  }

  skips(id: string): boolean {
    return this.#barren.has(id)
  }

  /** Directories skipped now (tests, logs). */
  get size(): number {
    return this.#barren.size
  }
}

/** What a full walk learns: the outside directories it listed, and those with the pod tree below. */
class FullWalk {
  readonly #listed: string[] = []
  readonly #fruitful = new Set<string>()

  constructor(readonly commit: (barren: Set<string>) => void) {}

  outside(id: string): void {
    this.#listed.push(id)
  }

  /** Something of the pod tree at id: no ancestor of it is barren. */
  podTree(id: string): void {
    for (let p = parentId(id); p !== undefined && !this.#fruitful.has(p); p = parentId(p)) this.#fruitful.add(p)
  }

  /** A directory that could not be listed: listed again every walk, so its error is counted every walk. */
  keep(id: string): void {
    this.#fruitful.add(id)
    this.podTree(id)
  }

  barren(): Set<string> {
    return new Set(this.#listed.filter((id) => !this.#fruitful.has(id)))
  }
}

function parentId(id: string): string | undefined {
  if (id === '/') return undefined
  const slash = id.lastIndexOf('/')
  return slash <= 0 ? '/' : id.slice(0, slash)
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
  const cache = kubernetes ? opts.outside : undefined
  const full = cache?.beginWalk()
  const onError: DiscoverOptions['onError'] =
    full === undefined
      ? opts.onError
      : (path, er) => {
          full.keep(path)
          opts.onError?.(path, er)
        }
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const { id, pos, depth } = item
    if (cache !== undefined && pos.at === 'outside' && id !== start) {
      if (full === undefined && cache.skips(id)) continue
      full?.outside(id)
    } else if (pos.at !== 'outside') full?.podTree(id)
    // Containers are leaves for us: what is below (crun's `container/`) belongs to them.
    const descend = !kubernetes || !isTerminal(pos)
    // A leaf found in its parent's listing just now needs no readdir; the start is unchecked.
    const children = descend || id === start ? list(lister, h, id, id === start, onError) : []
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
  // Only a walk that went to the end knows what is barren.
  full?.commit(full.barren())
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
