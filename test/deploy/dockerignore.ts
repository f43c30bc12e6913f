// .dockerignore as BuildKit reads it (moby/patternmatcher): patterns in order, the last one
// that matches a path or any of its parent directories wins, `!` re-includes.
// Only `*`, `?` and `**` are modelled, which is all memlens uses.

interface Pattern {
  readonly negate: boolean
  readonly re: RegExp
}

const toRegExp = (glob: string): RegExp => {
  const body = glob
    .split('**')
    .map((part) =>
      part
        .split('')
        .map((c) => (c === '*' ? '[^/]*' : c === '?' ? '[^/]' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
        .join(''),
    )
    .join('.*')
  return new RegExp(`^${body}$`)
}

export function parseDockerignore(text: string): Pattern[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const negate = line.startsWith('!')
      const glob = (negate ? line.slice(1) : line).trim().replace(/^\/+/, '').replace(/\/+$/, '')
      return { negate, re: toRegExp(glob) }
    })
}

/** Whether `path` (relative to the context, `/`-separated) stays out of the build context. */
export function isIgnored(patterns: readonly Pattern[], path: string): boolean {
  const parts = path.split('/')
  const candidates = parts.map((_, i) => parts.slice(0, i + 1).join('/'))
  let ignored = false
  for (const p of patterns) {
    if (candidates.some((c) => p.re.test(c))) ignored = !p.negate
  }
  return ignored
}
