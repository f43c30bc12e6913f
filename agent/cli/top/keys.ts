// The keys of `memlens top`: one letter per sort column, R reverses, Tab switches between
// containers and pods, q or Ctrl-C quits.
import type { SortKey } from '../../config.js'

export const SORT_BY_KEY: ReadonlyMap<string, SortKey> = new Map<string, SortKey>([
  ['w', 'wset'],
  ['r', 'rss'],
  // "ps": the processes' RSS (p is taken by pct).
  ['s', 'prss'],
  ['c', 'cache'],
  ['d', 'dirty'],
  ['b', 'writeback'],
  ['l', 'limit'],
  ['p', 'pct'],
  ['o', 'oom'],
  ['n', 'name'],
])

export type KeyAction =
  { readonly type: 'sort'; readonly sort: SortKey } | { readonly type: 'reverse' } | { readonly type: 'kind' } | { readonly type: 'quit' }

/** The actions in one chunk of keyboard input; unknown keys are ignored. */
export function keyActions(text: string): KeyAction[] {
  const actions: KeyAction[] = []
  for (const ch of text) {
    // An escape sequence (arrows, F-keys: '\x1b[A', '\x1bOR') arrives as one chunk; its
    // letters are not commands.
    if (ch === '\u001b') break
    const sort = SORT_BY_KEY.get(ch)
    if (sort !== undefined) actions.push({ type: 'sort', sort })
    else if (ch === 'R') actions.push({ type: 'reverse' })
    else if (ch === '\t') actions.push({ type: 'kind' })
    else if (ch === 'q' || ch === '\u0003') actions.push({ type: 'quit' })
  }
  return actions
}
